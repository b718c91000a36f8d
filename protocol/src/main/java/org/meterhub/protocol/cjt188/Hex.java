package org.meterhub.protocol.cjt188;

/** Hex text for messages, toString and the explainer: bytes as {@code "68 10 01"}. */
final class Hex {

    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    private Hex() {
    }

    static String bytes(byte[] bytes) {
        return bytes(bytes, 0, bytes.length);
    }

    static String bytes(byte[] bytes, int from, int toExclusive) {
        StringBuilder sb = new StringBuilder(Math.max(0, toExclusive - from) * 3);
        for (int i = from; i < toExclusive; i++) {
            if (i > from) {
                sb.append(' ');
            }
            appendByte(sb, bytes[i] & 0xFF);
        }
        return sb.toString();
    }

    /** {@code 0x3A}, the form used in problem texts. */
    static String byteValue(int value) {
        StringBuilder sb = new StringBuilder("0x");
        appendByte(sb, value & 0xFF);
        return sb.toString();
    }

    /** {@code 901F}: DIs are named by engineers as four hex digits, high byte first. */
    static String di(int di) {
        StringBuilder sb = new StringBuilder(4);
        appendByte(sb, (di >>> 8) & 0xFF);
        appendByte(sb, di & 0xFF);
        return sb.toString();
    }

    private static void appendByte(StringBuilder sb, int b) {
        sb.append(DIGITS[b >>> 4]).append(DIGITS[b & 0x0F]);
    }

    /** Parses hex text as typed by engineers: spaces, commas, colons and a {@code 0x} prefix are allowed. */
    static byte[] parse(String text) {
        String cleaned = text.replaceAll("0[xX]", "").replaceAll("[\\s,:;-]", "");
        if (cleaned.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits in \"" + text + "\"");
        }
        byte[] out = new byte[cleaned.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(cleaned.charAt(2 * i), 16);
            int lo = Character.digit(cleaned.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a hex byte: \"" + cleaned.substring(2 * i, 2 * i + 2) + "\"");
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }
}
