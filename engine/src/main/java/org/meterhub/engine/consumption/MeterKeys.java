package org.meterhub.engine.consumption;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense slot numbers for meter ids, so per-meter state can live in parallel primitive arrays
 * instead of one object (and one map entry) per meter.
 *
 * <p>Meter ids of up to 17 decimal digits (CJ/T 188 addresses are 14 BCD digits) are kept as
 * one {@code long} code ({@code length * 10^17 + value}, so "0123" and "123" stay distinct) in
 * an open-addressing table: about 40 bytes per meter with no object per meter. Any other id
 * falls back to an ordinary map. Not thread-safe: one ingest thread owns it.
 */
public final class MeterKeys {
    private static final long LENGTH_UNIT = 100_000_000_000_000_000L; // 10^17
    private static final int MAX_DIGITS = 17;

    // Open addressing over pairs: [2i] = numeric code + 1 (0 = empty), [2i + 1] = its slot. Code and
    // slot side by side, so a lookup reads one cache line, not one in each of two arrays.
    private long[] table;
    private int mask;          // buckets - 1
    private int numericCount;
    private long[] codeBySlot; // numeric code, or -(index into others) - 1
    private int size;
    private final Map<String, Integer> others = new HashMap<>();
    private final List<String> otherIds = new ArrayList<>();

    public MeterKeys(int expectedMeters) {
        int cap = Integer.highestOneBit(Math.max(16, expectedMeters * 2 - 1)) << 1;
        table = new long[cap * 2];
        mask = cap - 1;
        codeBySlot = new long[Math.max(16, expectedMeters)];
    }

    public MeterKeys() {
        this(1024);
    }

    /** The meter's slot, allocating the next one on first sight. */
    public int slotOf(String meterId) {
        long code = numericCode(meterId);
        if (code >= 0) return slotOfCode(code);
        Integer slot = others.get(meterId);
        if (slot != null) return slot;
        int s = newSlot(-(otherIds.size()) - 1L);
        otherIds.add(meterId);
        others.put(meterId, s);
        return s;
    }

    /** The slot of an all-digit meter id given as its value and digit count (no string needed). */
    public int slotOfNumber(long value, int digits) {
        if (digits < 1 || digits > MAX_DIGITS || value < 0) throw new IllegalArgumentException("not a 1-17 digit id");
        return slotOfCode(digits * LENGTH_UNIT + value);
    }

    /** The slot if the meter was seen, else -1. */
    public int find(String meterId) {
        long code = numericCode(meterId);
        if (code < 0) {
            Integer s = others.get(meterId);
            return s == null ? -1 : s;
        }
        for (int i = mix(code) & mask; ; i = (i + 1) & mask) {
            long k = table[2 * i];
            if (k == 0) return -1;
            if (k == code + 1) return (int) table[2 * i + 1];
        }
    }

    public String idOf(int slot) {
        if (slot < 0 || slot >= size) throw new IndexOutOfBoundsException(slot);
        long code = codeBySlot[slot];
        if (code < 0) return otherIds.get((int) (-code - 1));
        int digits = (int) (code / LENGTH_UNIT);
        String v = Long.toString(code % LENGTH_UNIT);
        return "0".repeat(digits - v.length()) + v;
    }

    public int size() {
        return size;
    }

    /** Bytes held by the primitive tables (not counting fallback ids). */
    public long stateBytes() {
        return table.length * 8L + codeBySlot.length * 8L;
    }

    private int slotOfCode(long code) {
        int i = mix(code) & mask;
        long k;
        while ((k = table[2 * i]) != 0) {
            if (k == code + 1) return (int) table[2 * i + 1];
            i = (i + 1) & mask;
        }
        int s = newSlot(code);
        table[2 * i] = code + 1;
        table[2 * i + 1] = s;
        if (++numericCount * 2 > mask + 1) rehash();
        return s;
    }

    private int newSlot(long code) {
        if (size == codeBySlot.length) codeBySlot = Arrays.copyOf(codeBySlot, size * 2);
        codeBySlot[size] = code;
        return size++;
    }

    private void rehash() {
        long[] old = table;
        table = new long[old.length * 2];
        mask = table.length / 2 - 1;
        for (int j = 0; j < old.length; j += 2) {
            if (old[j] == 0) continue;
            int i = mix(old[j] - 1) & mask;
            while (table[2 * i] != 0) i = (i + 1) & mask;
            table[2 * i] = old[j];
            table[2 * i + 1] = old[j + 1];
        }
    }

    private static int mix(long code) {
        long h = code * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The numeric code of an all-digit id of at most 17 digits, else -1. */
    static long numericCode(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_DIGITS) return -1;
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return n * LENGTH_UNIT + v;
    }
}
