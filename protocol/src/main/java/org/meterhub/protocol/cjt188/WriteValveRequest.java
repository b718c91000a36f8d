package org.meterhub.protocol.cjt188;

/**
 * C=0x04, DI A017: open or close the meter's valve. One body byte: {@code 0x99} close, {@code 0x55} open.
 * These are the two values used by the water and gas meters we know; any other byte is rejected on
 * decode rather than guessed at, because a misread valve command is a supply cut.
 */
public record WriteValveRequest(int meterTypeCode, MeterAddress address, int ser, boolean close, DiOrder diOrder)
        implements Cjt188Message {

    public static final int CONTROL = 0x04;
    public static final int DI = Cjt188Di.WRITE_VALVE;
    public static final int CLOSE = 0x99;
    public static final int OPEN = 0x55;

    public WriteValveRequest {
        Checks.header(meterTypeCode, address);
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
