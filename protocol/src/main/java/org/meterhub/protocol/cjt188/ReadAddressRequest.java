package org.meterhub.protocol.cjt188;

/** C=0x03: "who are you", usually sent to {@link MeterAddress#WILDCARD} with DI 810A. */
public record ReadAddressRequest(int meterTypeCode, MeterAddress address, int di, int ser, DiOrder diOrder)
        implements Cjt188Message {

    public static final int CONTROL = 0x03;

    public ReadAddressRequest {
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
