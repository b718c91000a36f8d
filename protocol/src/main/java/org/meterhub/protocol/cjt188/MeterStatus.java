package org.meterhub.protocol.cjt188;

/** The two status bytes ST0 ST1 at the end of a current-data reply. */
public record MeterStatus(int st0, int st1) {

    public static final MeterStatus OK = new MeterStatus(0, 0);

    private static final int VALVE_CLOSED = 0x01;
    private static final int VALVE_FAULT = 0x02;
    private static final int LOW_BATTERY = 0x04;

    public MeterStatus {
        Checks.u8(st0, "st0");
        Checks.u8(st1, "st1");
    }

    /** From the 16-bit form {@link #bits()} returns. */
    public static MeterStatus ofBits(int bits) {
        Checks.u16(bits, "status bits");
        return new MeterStatus(bits & 0xFF, bits >>> 8);
    }

    public boolean valveClosed() {
        return (st0 & VALVE_CLOSED) != 0;
    }

    public boolean valveFault() {
        return (st0 & VALVE_FAULT) != 0;
    }

    public boolean lowBattery() {
        return (st0 & LOW_BATTERY) != 0;
    }

    /** ST0 in the low byte, ST1 in the high byte (wire order). */
    public int bits() {
        return st0 | (st1 << 8);
    }

    String describe() {
        return (valveClosed() ? "valve closed" : "valve open")
                + (valveFault() ? ", VALVE FAULT" : "")
                + (lowBattery() ? ", LOW BATTERY" : "")
                + ((st0 & ~0x07) != 0 || st1 != 0 ? ", other bits " + Hex.byteValue(st0) + " " + Hex.byteValue(st1) : "");
    }
}
