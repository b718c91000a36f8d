package org.meterhub.protocol.cjt188;

/**
 * Byte order of the 2-byte data identifier (DI) on the wire. Vendors and the two editions of the
 * standard disagree, so the order sent is a per-meter setting, and the order received is recorded.
 */
public enum DiOrder {
    /** DI 901F sent as {@code 90 1F}. */
    HIGH_FIRST,
    /** DI 901F sent as {@code 1F 90}. */
    LOW_FIRST;

    void write(int di, byte[] out, int offset) {
        int hi = (di >>> 8) & 0xFF;
        int lo = di & 0xFF;
        out[offset] = (byte) (this == HIGH_FIRST ? hi : lo);
        out[offset + 1] = (byte) (this == HIGH_FIRST ? lo : hi);
    }

    int read(byte[] in, int offset) {
        int first = in[offset] & 0xFF;
        int second = in[offset + 1] & 0xFF;
        return this == HIGH_FIRST ? (first << 8) | second : (second << 8) | first;
    }
}
