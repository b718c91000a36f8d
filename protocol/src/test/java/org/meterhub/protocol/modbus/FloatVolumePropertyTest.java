package org.meterhub.protocol.modbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * The float volume conversion, for any register a meter could hold: the nearest float to k resolution steps
 * reads back as exactly k steps whenever it is not flagged, and is never flagged below 2^23 steps (2^52 for
 * float64); at and beyond 2^24 (2^53) steps it is always flagged.
 */
class FloatVolumePropertyTest {

    private static RegisterField field(RegisterType type, WordOrder order, String resolution) {
        return new RegisterField("v", 0, 3, type, order, BigDecimal.ONE, "m3", FieldMeaning.VOLUME, Map.of(),
                new BigDecimal(resolution));
    }

    @Provide
    Arbitrary<String> resolutions() {
        return Arbitraries.of("0.001", "0.01", "0.1", "1", "0.002", "0.005", "0.008", "10");
    }

    @Property(tries = 3000)
    void float32ReadsBackExactlyUnlessFlagged(@ForAll @LongRange(min = 0, max = 1L << 26) long steps,
                                              @ForAll("resolutions") String resolution, @ForAll WordOrder order) {
        check(field(RegisterType.FLOAT32, order, resolution), steps, 24);
    }

    @Property(tries = 3000)
    void float64ReadsBackExactlyUnlessFlagged(@ForAll @LongRange(min = 0, max = 1L << 55) long steps,
                                              @ForAll("resolutions") String resolution, @ForAll WordOrder order) {
        check(field(RegisterType.FLOAT64, order, resolution), steps, 53);
    }

    @Property(tries = 1000)
    void smallRegistersAreAlwaysExact(@ForAll @LongRange(min = 0, max = (1L << 23) - 1) long steps,
                                      @ForAll("resolutions") String resolution) {
        RegisterField f = field(RegisterType.FLOAT32, WordOrder.CDAB, resolution);
        FieldValue v = decode(f, steps);
        assertThat(v.precisionLoss()).isFalse();
        assertThat(v.value()).isEqualByComparingTo(f.resolution().multiply(BigDecimal.valueOf(steps)));
    }

    private static void check(RegisterField f, long steps, int bits) {
        FieldValue v = decode(f, steps);
        BigDecimal truth = f.resolution().multiply(BigDecimal.valueOf(steps));
        if (!v.precisionLoss()) {
            assertThat(v.value()).as("%d steps of %s", steps, f.resolution()).isEqualByComparingTo(truth);
            BigDecimal litres = truth.movePointRight(3);
            if (litres.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) assertThat(v.litres()).isEqualTo(litres.longValueExact());
        }
        if (steps < 1L << (bits - 1)) assertThat(v.precisionLoss()).as("%d steps is within the exact range", steps).isFalse();
        if (steps >= 1L << bits) assertThat(v.precisionLoss()).as("%d steps is beyond 2^%d", steps, bits).isTrue();
        // flagged or not, the value is a whole number of steps: never a fraction of a litre
        assertThat(v.value().divide(f.resolution()).stripTrailingZeros().scale()).isLessThanOrEqualTo(0);
    }

    private static FieldValue decode(RegisterField f, long steps) {
        BigDecimal value = f.resolution().multiply(BigDecimal.valueOf(steps));
        int[] words = f.type() == RegisterType.FLOAT32
                ? f.order().split(Float.floatToRawIntBits(FloatVolumes.nearestFloat(value)))
                : f.order().split64(Double.doubleToRawLongBits(FloatVolumes.nearestDouble(value)));
        return RegisterDecoder.decode(f, words, 0);
    }
}
