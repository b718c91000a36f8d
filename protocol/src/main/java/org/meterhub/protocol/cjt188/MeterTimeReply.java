package org.meterhub.protocol.cjt188;

/** C=0x81, DI 907F: the meter's clock. Body: 7 bytes {@code ss mm hh DD MM YY CC}. */
public record MeterTimeReply(int meterTypeCode, MeterAddress address, int ser, DiOrder diOrder, MeterClock clock)
        implements Cjt188Message {

    public static final int CONTROL = 0x81;
    public static final int DI = Cjt188Di.METER_TIME;
    public static final int BODY_LENGTH = MeterClock.WIRE_LENGTH;

    public MeterTimeReply {
        Checks.header(meterTypeCode, address);
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
        Checks.nonNull(clock, "clock");
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
