package org.meterhub.protocol.cjt188;

/**
 * Control bit 6 set (e.g. C=0xC1): the meter refuses or failed. Data is SER and two status bytes
 * ST0 ST1, no DI; {@code errorStatus} = ST0 | ST1 &lt;&lt; 8.
 */
public record ErrorReply(int meterTypeCode, MeterAddress address, int control, int ser, int errorStatus)
        implements Cjt188Message {

    public static final int DATA_LENGTH = 3;
    private static final int ERROR_BIT = 0x40;

    public ErrorReply {
        Checks.header(meterTypeCode, address);
        Checks.u8(control, "control");
        if ((control & ERROR_BIT) == 0) {
            throw new IllegalArgumentException("an error reply needs control bit 6 set, got " + Hex.byteValue(control));
        }
        Checks.u8(ser, "ser");
        Checks.u16(errorStatus, "errorStatus");
    }

    public MeterStatus status() {
        return MeterStatus.ofBits(errorStatus);
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
