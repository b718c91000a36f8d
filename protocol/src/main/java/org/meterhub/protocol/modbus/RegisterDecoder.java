package org.meterhub.protocol.modbus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Register words to values, by profile. Integer values stay exact (BigDecimal); a float measurement is
 * converted through its shortest decimal form; a float volume goes through {@link FloatVolumes} (exact
 * binary value rounded to the declared resolution, flagged beyond the float's exact range).
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
        long raw = switch (f.type()) {
            case UINT16 -> first;
            case INT16 -> (short) first;
            case UINT32, FLOAT32 -> Integer.toUnsignedLong(f.order().combine(first, words[at + 1] & 0xFFFF));
            case INT32 -> f.order().combine(first, words[at + 1] & 0xFFFF);
            case FLOAT64 -> f.order().combine64(words, at);
        };
        BigDecimal value;
        boolean precisionLoss = false;
        if (f.type().isFloat()) {
            double x = f.type() == RegisterType.FLOAT32 ? Float.intBitsToFloat((int) raw) : Double.longBitsToDouble(raw);
            if (f.resolution() != null) {
                value = FloatVolumes.value(f, x);
                precisionLoss = FloatVolumes.precisionLoss(f, x);
            } else if (!Double.isFinite(x)) {
                value = null;
            } else {
                String shortest = f.type() == RegisterType.FLOAT32 ? Float.toString((float) x) : Double.toString(x);
                value = new BigDecimal(shortest).multiply(f.scale());
            }
        } else {
            value = BigDecimal.valueOf(raw).multiply(f.scale());
        }
        List<String> set = new ArrayList<>();
        if (f.meaning() == FieldMeaning.STATUS) {
            for (Map.Entry<Integer, String> bit : new java.util.TreeMap<>(f.statusBits()).entrySet()) {
                if ((raw >>> bit.getKey() & 1) != 0) set.add(bit.getValue());
            }
        }
        return new FieldValue(f, raw, value, set, precisionLoss);
    }

    /**
     * Register words carrying {@code raw} for field {@code f}: the inverse of decoding, used by
     * simulators and tests to build register images from the same profile the gateway reads.
     */
    public static int[] encode(RegisterField f, long raw) {
        return switch (f.type()) {
            case UINT16, INT16 -> new int[] {(int) raw & 0xFFFF};
            case UINT32, INT32, FLOAT32 -> f.order().split((int) raw);
            case FLOAT64 -> f.order().split64(raw);
        };
    }

    /**
     * Words for a volume field holding {@code litres}: the exact raw integer for an integer type (which must
     * exist: litres ÷ scale a whole number), the nearest float to litres ÷ scale for a float type.
     */
    public static int[] encodeVolume(RegisterField f, long litres) {
        BigDecimal inUnit = f.unit().equals("L") ? BigDecimal.valueOf(litres) : BigDecimal.valueOf(litres, 3);
        BigDecimal raw = inUnit.divide(f.scale(), java.math.MathContext.DECIMAL128);
        return switch (f.type()) {
            case FLOAT32 -> encodeFloat(f, FloatVolumes.nearestFloat(raw));
            case FLOAT64 -> f.order().split64(Double.doubleToRawLongBits(FloatVolumes.nearestDouble(raw)));
            default -> encode(f, raw.stripTrailingZeros().longValueExact());
        };
    }

    /** Words for a float32 (or float64) field holding {@code x}. */
    public static int[] encodeFloat(RegisterField f, float x) {
        if (f.type() == RegisterType.FLOAT64) return f.order().split64(Double.doubleToRawLongBits(x));
        if (f.type() != RegisterType.FLOAT32) throw new IllegalArgumentException(f.name() + " is not a float");
        return f.order().split(Float.floatToRawIntBits(x));
    }
}
