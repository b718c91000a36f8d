package org.meterhub.protocol.cjt188;

import java.util.Arrays;

/**
 * One checksum-valid CJ/T 188 frame, without preamble, start, length, checksum and end byte (those are
 * derived on encoding). {@code data} is the L data bytes: DI, SER and the body. Meaning is not
 * interpreted here; {@link Cjt188Messages} does that, so framing and meaning can be tested apart.
 */
public record Cjt188Frame(int meterType, MeterAddress address, int control, byte[] data) {

    public static final int MAX_DATA_LENGTH = 0xFF;

    private static final int FROM_METER = 0x80;
    private static final int ERROR_REPLY = 0x40;
    private static final int FOLLOW_UP = 0x20;
    private static final int FUNCTION = 0x1F;

    public Cjt188Frame {
        Checks.u8(meterType, "meterType");
        Checks.nonNull(address, "address");
        Checks.u8(control, "control");
        Checks.nonNull(data, "data");
        if (data.length > MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("data has " + data.length + " bytes, the length field L holds at most 255");
        }
        data = data.clone();
    }

    /** A copy: the frame stays immutable. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    /** Control bit 7: 1 = sent by the meter. */
    public boolean fromMeter() {
        return (control & FROM_METER) != 0;
    }

    /** Control bit 6: the meter could not do what was asked. */
    public boolean errorReply() {
        return (control & ERROR_REPLY) != 0;
    }

    /** Control bit 5: more frames follow. */
    public boolean followUp() {
        return (control & FOLLOW_UP) != 0;
    }

    /** Control bits 4–0. */
    public int function() {
        return control & FUNCTION;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cjt188Frame f && meterType == f.meterType && control == f.control
                && address.equals(f.address) && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return ((meterType * 31 + address.hashCode()) * 31 + control) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Cjt188Frame[T=" + Hex.byteValue(meterType) + ", A=" + address + ", C=" + Hex.byteValue(control)
                + ", L=" + data.length + ", data=" + Hex.bytes(data) + "]";
    }
}
