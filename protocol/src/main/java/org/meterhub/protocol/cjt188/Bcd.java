package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;

/** Packed BCD, low byte first, as every multi-byte number in CJ/T 188 is sent. */
final class Bcd {

    private Bcd() {
    }

    static boolean isBcd(int b) {
        return (b & 0x0F) <= 9 && ((b >>> 4) & 0x0F) <= 9;
    }

    static int toInt(int b) {
        return ((b >>> 4) & 0x0F) * 10 + (b & 0x0F);
    }

    static byte fromInt(int value) {
        return (byte) (((value / 10) << 4) | (value % 10));
    }

    /** Null when the bytes are valid BCD, otherwise the offending byte's hex form. */
    static String firstInvalid(byte[] src, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (!isBcd(src[i] & 0xFF)) {
                return Hex.byteValue(src[i]);
            }
        }
        return null;
    }

    /** Caller has checked the bytes with {@link #firstInvalid}. */
    static long decode(byte[] src, int from, int len) {
        long value = 0;
        for (int i = from + len - 1; i >= from; i--) {
            value = value * 100 + toInt(src[i] & 0xFF);
        }
        return value;
    }

    static void encode(long value, byte[] dst, int from, int len) {
        if (value < 0 || value >= maxExclusive(len)) {
            throw new IllegalArgumentException(value + " does not fit in " + len + " BCD bytes");
        }
        long rest = value;
        for (int i = from; i < from + len; i++) {
            dst[i] = fromInt((int) (rest % 100));
            rest /= 100;
        }
    }

    static long maxExclusive(int len) {
        long max = 1;
        for (int i = 0; i < len; i++) {
            max *= 100;
        }
        return max;
    }

    /**
     * Throws IllegalArgumentException unless {@code value} is sendable as {@code len} BCD bytes with
     * {@code decimals} implied decimals. Message constructors call this so that encoding never fails later.
     */
    static void requireFits(BigDecimal value, int len, int decimals, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is null");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException(field + " " + value.toPlainString() + " is negative; BCD has no sign");
        }
        if (value.stripTrailingZeros().scale() > decimals) {
            throw new IllegalArgumentException(field + " " + value.toPlainString() + " has more than " + decimals
                    + " decimals, the wire format has exactly " + decimals);
        }
        if (value.movePointRight(decimals).compareTo(BigDecimal.valueOf(maxExclusive(len))) >= 0) {
            throw new IllegalArgumentException(field + " " + value.toPlainString() + " does not fit in " + len
                    + " BCD bytes with " + decimals + " decimals");
        }
    }

    static long scaled(BigDecimal value, int decimals) {
        return value.movePointRight(decimals).longValueExact();
    }
}
