package org.meterhub.protocol.modbus;

import java.util.Locale;

/**
 * Byte order of a 32-bit value over two registers, named the way vendor manuals do: the value's
 * bytes are A (most significant) to D. Modbus itself sends each register big-endian; only the
 * order of the two words (and, on some devices, the bytes in them) varies. A 64-bit value over four
 * registers follows the same rule: {@code ABCD} high word first, {@code CDAB} low word first (all four
 * words reversed), {@code BADC}/{@code DCBA} the same with the bytes of each word swapped.
 */
public enum WordOrder {
    /** High word first, each word big-endian: the Modbus convention and protocols.md §4. */
    ABCD("high-first"),
    /** Low word first ("word swapped"), common on meters with little-endian firmware. */
    CDAB("low-first"),
    /** High word first with the bytes of each word swapped. */
    BADC("high-first-byte-swapped"),
    /** Fully little-endian. */
    DCBA("low-first-byte-swapped");

    private final String alias;

    WordOrder(String alias) {
        this.alias = alias;
    }

    public String alias() {
        return alias;
    }

    /** The 32 bits from two registers as they arrived, {@code first} at the lower address. */
    public int combine(int first, int second) {
        return switch (this) {
            case ABCD -> (first << 16) | second;
            case CDAB -> (second << 16) | first;
            case BADC -> (swap(first) << 16) | swap(second);
            case DCBA -> (swap(second) << 16) | swap(first);
        };
    }

    /** The two registers that carry {@code bits} in this order; the inverse of {@link #combine}. */
    public int[] split(int bits) {
        int hi = (bits >>> 16) & 0xFFFF;
        int lo = bits & 0xFFFF;
        return switch (this) {
            case ABCD -> new int[] {hi, lo};
            case CDAB -> new int[] {lo, hi};
            case BADC -> new int[] {swap(hi), swap(lo)};
            case DCBA -> new int[] {swap(lo), swap(hi)};
        };
    }

    /** The 64 bits from four registers as they arrived, {@code words[at]} at the lowest address. */
    public long combine64(int[] words, int at) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int w = words[at + (lowFirst() ? 3 - i : i)] & 0xFFFF;
            v = (v << 16) | (byteSwapped() ? swap(w) : w);
        }
        return v;
    }

    /** The four registers that carry {@code bits} in this order; the inverse of {@link #combine64}. */
    public int[] split64(long bits) {
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) {
            int w = (int) (bits >>> (48 - 16 * i)) & 0xFFFF;
            out[lowFirst() ? 3 - i : i] = byteSwapped() ? swap(w) : w;
        }
        return out;
    }

    private boolean lowFirst() {
        return this == CDAB || this == DCBA;
    }

    private boolean byteSwapped() {
        return this == BADC || this == DCBA;
    }

    private static int swap(int word) {
        return ((word & 0xFF) << 8) | ((word >>> 8) & 0xFF);
    }

    static WordOrder parse(String text) {
        String t = text.trim();
        for (WordOrder o : values()) {
            if (o.name().equalsIgnoreCase(t) || o.alias.equals(t.toLowerCase(Locale.ROOT))) return o;
        }
        throw new IllegalArgumentException("expected a word order ABCD (high-first), CDAB (low-first), BADC or DCBA, got \""
                + text + "\"");
    }
}
