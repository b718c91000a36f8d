package org.meterhub.protocol.cjt188;

import java.util.Objects;

/**
 * A meter's 14-digit address, written as engineers read it off the nameplate (most significant digit
 * first). On the wire it is 7 BCD bytes, low byte first: A0 holds the two lowest digits, so
 * {@code 00000805000001} is sent as {@code 01 00 00 05 08 00 00}.
 *
 * <p>Two addresses are special: {@link #WILDCARD} ({@code AA}×7, "whichever single meter is on the bus",
 * used to discover an unknown address) and {@link #BROADCAST} ({@code 99}×7).
 */
public record MeterAddress(String digits) {

    public static final int WIRE_LENGTH = 7;

    private static final String WILDCARD_DIGITS = "AAAAAAAAAAAAAA";

    /** {@code AA}×7: only meaningful when exactly one meter is on the bus. */
    public static final MeterAddress WILDCARD = new MeterAddress(WILDCARD_DIGITS);

    /** {@code 99}×7. */
    public static final MeterAddress BROADCAST = new MeterAddress("99999999999999");

    public MeterAddress {
        Objects.requireNonNull(digits, "digits");
        if (!digits.equals(WILDCARD_DIGITS) && !isFourteenDecimalDigits(digits)) {
            throw new IllegalArgumentException("meter address must be exactly 14 decimal digits (or the wildcard "
                    + WILDCARD_DIGITS + "), got \"" + digits + "\"");
        }
    }

    public static MeterAddress of(String digits) {
        return new MeterAddress(digits);
    }

    /**
     * @throws IllegalArgumentException if not 7 bytes, or a byte is not BCD (and the bytes are not the
     *     {@code AA}×7 wildcard)
     */
    public static MeterAddress fromWire(byte[] sevenBytes) {
        Objects.requireNonNull(sevenBytes, "sevenBytes");
        if (sevenBytes.length != WIRE_LENGTH) {
            throw new IllegalArgumentException("meter address needs 7 bytes, got " + sevenBytes.length);
        }
        String problem = wireProblem(sevenBytes, 0);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (isWildcard(sevenBytes, 0)) {
            return WILDCARD;
        }
        StringBuilder sb = new StringBuilder(14);
        for (int i = WIRE_LENGTH - 1; i >= 0; i--) {
            int b = sevenBytes[i] & 0xFF;
            sb.append((char) ('0' + (b >>> 4))).append((char) ('0' + (b & 0x0F)));
        }
        return new MeterAddress(sb.toString());
    }

    /** Null when the 7 bytes at {@code offset} form an address, else what is wrong, naming the byte. */
    static String wireProblem(byte[] bytes, int offset) {
        if (isWildcard(bytes, offset)) {
            return null;
        }
        for (int i = 0; i < WIRE_LENGTH; i++) {
            int b = bytes[offset + i] & 0xFF;
            if (!Bcd.isBcd(b)) {
                return "address byte A" + i + "=" + Hex.byteValue(b) + " is not BCD";
            }
        }
        return null;
    }

    private static boolean isWildcard(byte[] bytes, int offset) {
        for (int i = 0; i < WIRE_LENGTH; i++) {
            if ((bytes[offset + i] & 0xFF) != 0xAA) {
                return false;
            }
        }
        return true;
    }

    /** 7 bytes, A0 (two lowest digits) first. */
    public byte[] toWire() {
        byte[] out = new byte[WIRE_LENGTH];
        for (int i = 0; i < WIRE_LENGTH; i++) {
            int pos = 12 - 2 * i;  // digits are written most significant first, A0 is the last pair
            int hi = Character.digit(digits.charAt(pos), 16);
            int lo = Character.digit(digits.charAt(pos + 1), 16);
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    public boolean isWildcard() {
        return digits.equals(WILDCARD_DIGITS);
    }

    public boolean isBroadcast() {
        return equals(BROADCAST);
    }

    private static boolean isFourteenDecimalDigits(String s) {
        if (s.length() != 14) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The digits alone: this is what appears in logs next to other fields. */
    @Override
    public String toString() {
        return digits;
    }
}
