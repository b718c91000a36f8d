package org.meterhub.benchmarks.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;

/** The benchmark's own logic: the time-major stream it feeds, and the checks that make its comparison one of real work. */
class IngestLeakCostTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void readingsAreFedInTimeOrderAndEachMeterKeepsItsOwnRegistersInOrder() {
        long t = T0.toEpochMilli();
        // meter 0 reads at :50 past, meter 1 at :10, and sends its second reading twice
        long[][] times = {{t + 50, t + 3_600_050}, {t + 10, t + 3_600_010, t + 3_600_010, t + 7_200_010}};
        long[][] registers = {{100, 105}, {7, 9, 9, 12}};
        IngestLeakCost.Stream s = IngestLeakCost.interleave(new String[] {"a", "b"}, new Medium[] {Medium.WATER, Medium.GAS},
                new long[] {100, 7}, times, registers, T0, 0, 6);
        assertThat(s.meter()).containsExactly(1, 0, 1, 1, 0, 1);
        assertThat(s.time()).containsExactly(t + 10, t + 50, t + 3_600_010, t + 3_600_010, t + 3_600_050, t + 7_200_010);
        assertThat(s.register()).containsExactly(7, 100, 9, 9, 105, 12);
    }

    @Test
    void theChecksFailOnAnOnRoundWithoutLeakAlarmsAnOffRoundWithThemOrOtherStoredRows() {
        IngestLeakCost.Round off = round(false, 0, 0, 1_000);
        IngestLeakCost.Round on = round(true, 3, 3, 1_000);
        assertThat(IngestLeakCost.check(List.of(off, on))).isTrue();
        assertThat(IngestLeakCost.check(List.of(off, round(true, 0, 0, 1_000)))).isFalse();
        assertThat(IngestLeakCost.check(List.of(round(false, 1, 1, 1_000), on))).isFalse();
        assertThat(IngestLeakCost.check(List.of(off, round(true, 3, 3, 999)))).isFalse();
        assertThat(IngestLeakCost.median(List.of(0.9, 1.1, 0.7, 1.0))).isEqualTo(0.95);
    }

    private static IngestLeakCost.Round round(boolean on, long detections, long alarms, long intervals) {
        return new IngestLeakCost.Round("sqlite", on, 1, 500, 1.0, 1.0, 0.5, 0, 0, 500, intervals, detections, alarms, 1, 490,
                intervals, "1 1 1");
    }
}
