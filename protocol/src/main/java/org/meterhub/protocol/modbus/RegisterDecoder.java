package org.meterhub.protocol.modbus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Register words to values, by profile. Integer values stay exact (BigDecimal); a float32 is a
 * measurement, converted through its shortest decimal form, and never used for volumes.
 */
public final class RegisterDecoder {

    private RegisterDecoder() {
    }

    /**
     * @param words registers of one block as read, {@code words[0]} at {@code block.address()}; each 0..65535
     * @return the fields of the profile inside that block, in profile order
     */
    public static Map<String, FieldValue> decode(RegisterProfile profile, RegisterProfile.Block block, int[] words) {
        if (words.length != block.count()) {
            throw new IllegalArgumentException("block " + block + " needs " + block.count() + " registers, got " + words.length);
        }
        Map<String, FieldValue> out = new LinkedHashMap<>();
        for (RegisterField f : profile.fields()) {
            if (block.contains(f)) {
                int at = f.address() - block.address();
                out.put(f.name(), decode(f, words, at));
            }
        }
        return out;
    }

    /** Decodes every field of the profile from all its blocks, read in {@link RegisterProfile#blocks()} order. */
    public static Map<String, FieldValue> decodeAll(RegisterProfile profile, List<int[]> blockWords) {
        List<RegisterProfile.Block> blocks = profile.blocks();
        if (blocks.size() != blockWords.size()) {
            throw new IllegalArgumentException("profile " + profile.name() + " reads " + blocks.size() + " blocks, got " + blockWords.size());
        }
        Map<String, FieldValue> out = new LinkedHashMap<>();
        for (int i = 0; i < blocks.size(); i++) out.putAll(decode(profile, blocks.get(i), blockWords.get(i)));
        return out;
    }

    public static FieldValue decode(RegisterField f, int[] words, int at) {
        int first = words[at] & 0xFFFF;
        long raw;
        BigDecimal value;
        switch (f.type()) {
            case UINT16 -> raw = first;
            case INT16 -> raw = (short) first;
            case UINT32 -> raw = Integer.toUnsignedLong(f.order().combine(first, words[at + 1] & 0xFFFF));
            case INT32 -> raw = f.order().combine(first, words[at + 1] & 0xFFFF);
            case FLOAT32 -> raw = Integer.toUnsignedLong(f.order().combine(first, words[at + 1] & 0xFFFF));
            default -> throw new IllegalStateException(f.type().toString());
        }
        if (f.type() == RegisterType.FLOAT32) {
            float x = Float.intBitsToFloat((int) raw);
            value = Float.isFinite(x) ? new BigDecimal(Float.toString(x)).multiply(f.scale()) : null;
        } else {
            value = BigDecimal.valueOf(raw).multiply(f.scale());
        }
        List<String> set = new ArrayList<>();
        if (f.meaning() == FieldMeaning.STATUS) {
            for (Map.Entry<Integer, String> bit : new java.util.TreeMap<>(f.statusBits()).entrySet()) {
                if ((raw >>> bit.getKey() & 1) != 0) set.add(bit.getValue());
            }
        }
        return new FieldValue(f, raw, value, set);
    }

    /**
     * Register words carrying {@code raw} for field {@code f}: the inverse of decoding, used by
     * simulators and tests to build register images from the same profile the gateway reads.
     */
    public static int[] encode(RegisterField f, long raw) {
        return switch (f.type()) {
            case UINT16, INT16 -> new int[] {(int) raw & 0xFFFF};
            case UINT32, INT32, FLOAT32 -> f.order().split((int) raw);
        };
    }

    /** Words for a float32 field holding {@code x}. */
    public static int[] encodeFloat(RegisterField f, float x) {
        if (f.type() != RegisterType.FLOAT32) throw new IllegalArgumentException(f.name() + " is not float32");
        return f.order().split(Float.floatToRawIntBits(x));
    }
}
