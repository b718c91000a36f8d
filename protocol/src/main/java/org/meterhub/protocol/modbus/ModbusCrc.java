package org.meterhub.protocol.modbus;

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF); sent low byte first. */
public final class ModbusCrc {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i;
            for (int b = 0; b < 8; b++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            TABLE[i] = crc;
        }
    }

    private ModbusCrc() {
    }

    public static int of(byte[] bytes, int from, int toExclusive) {
        int crc = 0xFFFF;
        for (int i = from; i < toExclusive; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xFF];
        return crc;
    }

    /** True when the last two bytes of {@code frame[from, to)} are the CRC of the bytes before them. */
    public static boolean valid(byte[] frame, int from, int toExclusive) {
        if (toExclusive - from < 4) return false;
        int crc = of(frame, from, toExclusive - 2);
        return (frame[toExclusive - 2] & 0xFF) == (crc & 0xFF) && (frame[toExclusive - 1] & 0xFF) == crc >>> 8;
    }

    /** Writes the CRC of {@code frame[0, length-2)} into its last two bytes. */
    static byte[] seal(byte[] frame) {
        int crc = of(frame, 0, frame.length - 2);
        frame[frame.length - 2] = (byte) crc;
        frame[frame.length - 1] = (byte) (crc >>> 8);
        return frame;
    }
}
