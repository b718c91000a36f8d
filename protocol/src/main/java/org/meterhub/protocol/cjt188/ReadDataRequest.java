package org.meterhub.protocol.cjt188;

/** C=0x01: master asks a meter for the data named by {@code di} (e.g. {@link Cjt188Di#CURRENT_DATA}). */
public record ReadDataRequest(int meterTypeCode, MeterAddress address, int di, int ser, DiOrder diOrder)
        implements Cjt188Message {

    public static final int CONTROL = 0x01;

    public ReadDataRequest {
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
