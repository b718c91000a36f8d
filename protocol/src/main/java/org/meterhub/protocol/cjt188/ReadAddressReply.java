package org.meterhub.protocol.cjt188;

/** C=0x83: the meter answers a read-address request; its address and type are in the frame header. */
public record ReadAddressReply(int meterTypeCode, MeterAddress address, int di, int ser, DiOrder diOrder)
        implements Cjt188Message {

    public static final int CONTROL = 0x83;

    public ReadAddressReply {
        Checks.header(meterTypeCode, address);
        Checks.u16(di, "di");
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
