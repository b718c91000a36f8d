package org.meterhub.protocol.modbus;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Volumes that converters and flow computers present as IEEE floats, made exact. A float is read at its exact
 * binary value ({@code new BigDecimal(double)}, never via a decimal string or a double calculation), times the
 * field's scale, rounded half-even to the field's declared resolution: 12345.677734375 (the float32 nearest
 * 12345.678) at 0.001 m3 is 12345.678 m3 = 12 345 678 L.
 *
 * <p>That is only right while the float can tell one resolution step from the next, i.e. while its spacing (ulp)
 * at the value, times scale, is no more than the resolution: for a power-of-two resolution up to 2^24 steps
 * (float32) or 2^53 (float64); for a decimal one such as 0.001 m3 from 2^23 to 2^24 steps, depending on where
 * the binary exponent changes (float32 at 0.001 m3: up to 16 383.999 m3). Beyond it the value is still the
 * nearest step, but flagged as a loss of precision, never passed off as exact.
 */
public final class FloatVolumes {
    private FloatVolumes() {
    }

    /** The float's exact value × scale rounded to the field's resolution, in the field's unit; null for NaN or infinity. */
    public static BigDecimal value(RegisterField f, double x) {
        if (!Double.isFinite(x)) return null;
        BigDecimal steps = new BigDecimal(x).multiply(f.scale()).divide(f.resolution(), 0, RoundingMode.HALF_EVEN);
        return steps.multiply(f.resolution());
    }

    /** True when neighbouring resolution steps near {@code x} map to the same float: the value is not exact. */
    public static boolean precisionLoss(RegisterField f, double x) {
        if (!Double.isFinite(x)) return false;
        double ulp = f.type() == RegisterType.FLOAT32 ? Math.ulp((float) x) : Math.ulp(x);
        return new BigDecimal(ulp).multiply(f.scale()).compareTo(f.resolution()) > 0;
    }

    /** The float32 nearest to {@code v} (ties to even), decided on exact values. */
    public static float nearestFloat(BigDecimal v) {
        float f = (float) v.doubleValue();
        float best = f;
        for (float c : new float[] {Math.nextDown(f), Math.nextUp(f)}) {
            if (closer(c, best, v, Float.floatToRawIntBits(c) % 2 == 0)) best = c;
        }
        return best;
    }

    /** The float64 nearest to {@code v} (ties to even), decided on exact values. */
    public static double nearestDouble(BigDecimal v) {
        double d = v.doubleValue();
        double best = d;
        for (double c : new double[] {Math.nextDown(d), Math.nextUp(d)}) {
            if (closer(c, best, v, Double.doubleToRawLongBits(c) % 2 == 0)) best = c;
        }
        return best;
    }

    private static boolean closer(double candidate, double best, BigDecimal v, boolean candidateEven) {
        if (!Double.isFinite(candidate)) return false;
        int cmp = new BigDecimal(candidate).subtract(v).abs().compareTo(new BigDecimal(best).subtract(v).abs());
        return cmp < 0 || cmp == 0 && candidateEven;
    }
}
