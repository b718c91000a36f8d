package org.meterhub.protocol.cjt188;

import java.util.Arrays;

/**
 * A frame that is valid but has no record of its own (another DI, another function, a custom meter
 * type), kept whole so it can be logged, forwarded or answered. {@code body} is everything after the DI,
 * SER included. When a frame fits one of the typed records, decoding returns that record instead.
 */
public record UnknownData(int meterTypeCode, MeterAddress address, int control, int di, DiOrder diOrder, byte[] body)
        implements Cjt188Message {

    public UnknownData {
        Checks.header(meterTypeCode, address);
        Checks.u8(control, "control");
        if ((control & 0x40) != 0) {
            throw new IllegalArgumentException("control " + Hex.byteValue(control) + " is an error reply: use ErrorReply");
        }
        Checks.u16(di, "di");
        Checks.nonNull(diOrder, "diOrder");
        Checks.nonNull(body, "body");
        if (body.length > Cjt188Frame.MAX_DATA_LENGTH - 2) {
            throw new IllegalArgumentException("body has " + body.length + " bytes; with the DI at most 255 fit");
        }
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownData u && meterTypeCode == u.meterTypeCode && address.equals(u.address)
                && control == u.control && di == u.di && diOrder == u.diOrder && Arrays.equals(body, u.body);
    }

    @Override
    public int hashCode() {
        return ((((meterTypeCode * 31 + address.hashCode()) * 31 + control) * 31 + di) * 31 + diOrder.hashCode()) * 31
                + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
