package org.meterhub.protocol.cjt188;

/**
 * Byte-array framing, for simulators, tests and the {@code decode} CLI. The Netty pipeline uses
 * {@link Cjt188FrameDecoder} and {@link Cjt188FrameEncoder}, which share these rules.
 *
 * <pre>[FE ×0..4] 68 T A0..A6 C L DATA(L) CS 16</pre>
 */
public final class Cjt188Frames {

    public static final int PREAMBLE_BYTE = 0xFE;
    public static final int START_BYTE = 0x68;
    public static final int END_BYTE = 0x16;
    public static final int MAX_PREAMBLE = 4;
    /** 68, T, A0..A6, C, L: the bytes before DATA. */
    public static final int HEADER_LENGTH = 11;
    /** Header plus CS and end byte: a frame is {@code OVERHEAD + L} bytes long. */
    public static final int OVERHEAD = HEADER_LENGTH + 2;

    static final int TYPE_OFFSET = 1;
    static final int ADDRESS_OFFSET = 2;
    static final int CONTROL_OFFSET = 9;
    static final int LENGTH_OFFSET = 10;

    private Cjt188Frames() {
    }

    /** @param preambleBytes number of {@code FE} wake-up bytes, 0 to 4 */
    public static byte[] encode(Cjt188Frame frame, int preambleBytes) {
        checkPreamble(preambleBytes);
        byte[] data = frame.data();
        byte[] out = new byte[preambleBytes + OVERHEAD + data.length];
        for (int i = 0; i < preambleBytes; i++) {
            out[i] = (byte) PREAMBLE_BYTE;
        }
        int s = preambleBytes;
        out[s] = (byte) START_BYTE;
        out[s + TYPE_OFFSET] = (byte) frame.meterType();
        System.arraycopy(frame.address().toWire(), 0, out, s + ADDRESS_OFFSET, MeterAddress.WIRE_LENGTH);
        out[s + CONTROL_OFFSET] = (byte) frame.control();
        out[s + LENGTH_OFFSET] = (byte) data.length;
        System.arraycopy(data, 0, out, s + HEADER_LENGTH, data.length);
        int cs = s + HEADER_LENGTH + data.length;
        out[cs] = (byte) checksum(out, s, cs);
        out[cs + 1] = (byte) END_BYTE;
        return out;
    }

    /**
     * Strict: exactly one frame, optionally preceded by {@code FE} bytes, nothing after the end byte.
     *
     * @throws Cjt188Exception naming the first thing wrong, e.g. {@code checksum mismatch: frame says 0x39,
     *     computed 0x3A}
     */
    public static Cjt188Frame decode(byte[] wholeFrame) throws Cjt188Exception {
        FrameDissection d = FrameDissection.of(wholeFrame);
        if (!d.problems().isEmpty()) {
            throw new Cjt188Exception(d.problems().get(0));
        }
        return d.frame();
    }

    /** Sum of the bytes mod 256; the frame checksum covers 68 through the last data byte. */
    public static int checksum(byte[] bytes, int from, int toExclusive) {
        int sum = 0;
        for (int i = from; i < toExclusive; i++) {
            sum += bytes[i] & 0xFF;
        }
        return sum & 0xFF;
    }

    static void checkPreamble(int preambleBytes) {
        if (preambleBytes < 0 || preambleBytes > MAX_PREAMBLE) {
            throw new IllegalArgumentException("preamble must be 0 to " + MAX_PREAMBLE + " bytes, got " + preambleBytes);
        }
    }
}
