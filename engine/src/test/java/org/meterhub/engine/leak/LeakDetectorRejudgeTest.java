package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.vee.MeterClass;

/**
 * {@link LeakDetector#rejudge}: a day first seen as a gap (its hours unknown) and judged again once its hours are
 * known finds the leak the in-order detector finds, and leaves the meter's learnt baseline as it was.
 */
class LeakDetectorRejudgeTest {
    private static final ZoneId ATHENS = ZoneId.of("Europe/Athens");
    private static final long HOUR = 3_600_000L;
    private static final long T0 = LocalDate.of(2025, 10, 1).atStartOfDay(ATHENS).toInstant().toEpochMilli();
    private static final LeakProfile WATER = LeakProfile.of(MeterClass.householdWater(), LeakProfile.Settings.defaults());
    private static final int DAY = 24;
    private static final int LEAK_DAY = 20;

    /** 30 L at 07:00 and 20:00, 6 L at 13:00; 2 L more every hour of the leak day. */
    private static long litres(int h) {
        int local = Instant.ofEpochMilli(T0 + h * HOUR).atZone(ATHENS).getHour();
        long use = local == 7 || local == 20 ? 30 : local == 13 ? 6 : 0;
        return use + (h / DAY == LEAK_DAY ? 2 : 0);
    }

    private static ConsumptionInterval hour(int h, boolean spread) {
        return new ConsumptionInterval("m", Instant.ofEpochMilli(T0 + h * HOUR), Instant.ofEpochMilli(T0 + (h + 1) * HOUR),
                litres(h), spread ? EnumSet.of(IntervalFlag.SPREAD) : Set.of());
    }

    private static void feed(LeakDetector d, List<ConsumptionInterval> hours, List<LeakDetector.Event> out) {
        for (ConsumptionInterval i : hours) {
            int bits = i.flags().contains(IntervalFlag.SPREAD) ? IntervalSink.bit(IntervalFlag.SPREAD) : 0;
            d.onInterval(0, i.start().toEpochMilli(), i.end().toEpochMilli(), i.volumeL(), bits, WATER, (s, e) -> out.add(e));
        }
    }

    private static String step(LeakDetector.Event e) {
        return e.phase() + " " + e.kind() + " at " + Instant.ofEpochMilli(e.atMs()) + " since " + Instant.ofEpochMilli(e.sinceMs())
                + " " + e.rateMlph() + " mL/h " + e.lostL() + " L";
    }

    @Test
    void aDayFirstSeenAsAGapIsJudgedLikeTheDaysInOrder() {
        int end = (LEAK_DAY + 2) * DAY + 5; // two days after the leak day, into the night
        List<ConsumptionInterval> truth = new ArrayList<>();
        List<ConsumptionInterval> gap = new ArrayList<>();
        for (int h = 0; h < end; h++) {
            truth.add(hour(h, false));
            gap.add(hour(h, h / DAY == LEAK_DAY)); // the forward pass saw the leak day spread over a gap
        }
        List<LeakDetector.Event> inOrder = new ArrayList<>();
        feed(new LeakDetector(ATHENS, 1), truth, inOrder);
        assertThat(inOrder).as("the leak is found in order (the test can fail)")
                .anySatisfy(e -> assertThat(e.kind()).isEqualTo(LeakKind.CONTINUOUS_FLOW));

        LeakDetector late = new LeakDetector(ATHENS, 1);
        List<LeakDetector.Event> forward = new ArrayList<>();
        feed(late, gap, forward);
        assertThat(forward).as("a gap is never flow").isEmpty();
        long usual = late.usualNightFloorMlph(0, WATER);
        long current = late.currentHourMs(0);

        List<LeakDetector.Event> replayed = new ArrayList<>();
        int from = (LEAK_DAY - 7) * DAY;
        assertThat(late.rejudge(0, WATER, truth.subList(from, end), (s, e) -> replayed.add(e))).isTrue();
        // The same steps at the same hours (the evidence text names how many nights the baseline has learnt).
        assertThat(replayed).extracting(LeakDetectorRejudgeTest::step).isNotEmpty().isEqualTo(inOrder.stream()
                .filter(e -> e.atMs() >= T0 + LEAK_DAY * DAY * HOUR).map(LeakDetectorRejudgeTest::step).toList());
        assertThat(late.usualNightFloorMlph(0, WATER)).as("the baseline is the forward pass's").isEqualTo(usual);
        assertThat(late.currentHourMs(0)).isEqualTo(current);
        assertThat(late.openFlow(0)).isNull(); // the leak ended the next night, as the replay saw
    }
}
