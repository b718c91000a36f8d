package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.vee.MeterClass;

/**
 * The known-hour shortcut of the judging ({@code LeakDetector.knownHourAtRest}, taken when no episode is open, no burst
 * runs and no event is possible) decides exactly as the general branch: random households (quiet and busy, leaks of
 * 0.5 to 120 L/h that start and stop, bursts, gaps, hours in two intervals) streamed through two detectors, one with the
 * shortcut and one without; after every interval each meter's block is the same word for word and the events are the
 * same, in the same order, evidence text included. Water and gas (gas with the hour floor on).
 */
class LeakDetectorRestPathTest {
    private static final ZoneId ATHENS = ZoneId.of("Europe/Athens");
    private static final long HOUR = 3_600_000L;
    private static final long T0 = LocalDate.of(2025, 9, 20).atStartOfDay(ATHENS).toInstant().toEpochMilli();
    private static final int SPREAD = IntervalSink.bit(IntervalFlag.SPREAD);

    @Test
    void waterHouseholdsAreJudgedTheSameWithAndWithoutTheShortcut() {
        compare(LeakProfile.of(MeterClass.householdWater(), LeakProfile.Settings.defaults()), 1, 60);
    }

    @Test
    void gasHouseholdsAreJudgedTheSameWithAndWithoutTheShortcut() {
        compare(LeakProfile.of(MeterClass.householdGas(), LeakProfile.Settings.defaults()), 2, 60);
    }

    private static void compare(LeakProfile p, long seed, int days) {
        int meters = 48;
        LeakDetector fast = new LeakDetector(ATHENS, meters);
        LeakDetector general = new LeakDetector(ATHENS, meters);
        general.restPath = false;
        List<String> fastEvents = new ArrayList<>();
        List<String> generalEvents = new ArrayList<>();
        LeakDetector.EventSink fastSink = (slot, e) -> fastEvents.add(slot + " " + e);
        LeakDetector.EventSink generalSink = (slot, e) -> generalEvents.add(slot + " " + e);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] leakFrom = new int[meters];
        int[] leakTo = new int[meters];
        int[] leakL = new int[meters];
        int[] busy = new int[meters];
        int[] burstLeft = new int[meters];
        for (int m = 0; m < meters; m++) {
            leakFrom[m] = rnd.nextInt(days * 24);
            leakTo[m] = leakFrom[m] + 12 + rnd.nextInt(24 * 12);
            leakL[m] = m % 4 == 0 ? 0 : rnd.nextInt(121); // 0 to 120 L/h (below a litre: every other hour, below)
            busy[m] = rnd.nextInt(4);
        }
        for (int h = 0; h < days * 24; h++) {
            int local = Instant.ofEpochMilli(T0 + h * HOUR).atZone(ATHENS).getHour();
            boolean night = local >= 1 && local < 5;
            for (int m = 0; m < meters; m++) {
                long v;
                int r = rnd.nextInt(100);
                if (night) v = r < 85 - 10 * busy[m] ? 0 : r < 95 ? 1 + rnd.nextInt(3) : rnd.nextInt(40);
                else v = r < 40 - 10 * busy[m] ? 0 : r < 70 ? 1 + rnd.nextInt(5) : rnd.nextInt(80);
                if (h >= leakFrom[m] && h < leakTo[m]) v += leakL[m] == 0 ? (h % 2) : leakL[m];
                if (burstLeft[m] == 0 && rnd.nextInt(1_500) == 0) burstLeft[m] = 1 + rnd.nextInt(6);
                if (burstLeft[m] > 0) { // a burst (or, under its length in hours, a few large hours)
                    burstLeft[m]--;
                    v += p.burstMinLph() + rnd.nextInt(2_000);
                }
                int flags = rnd.nextInt(400) == 0 ? SPREAD : 0;
                long start = T0 + h * HOUR;
                if (rnd.nextInt(10) == 0 && v > 1) { // the hour in two intervals
                    long part = v / 2;
                    feed(fast, general, m, start, part, flags, p, fastSink, generalSink);
                    feed(fast, general, m, start + HOUR / 2, v - part, 0, p, fastSink, generalSink);
                } else {
                    feed(fast, general, m, start, v, flags, p, fastSink, generalSink);
                }
                assertThat(fastEvents).isEqualTo(generalEvents);
            }
        }
        for (int m = 0; m < meters; m++) {
            fast.flush(m, p, fastSink);
            general.flush(m, p, generalSink);
            assertThat(fast.ownBlock(m)).as("meter %d", m).isEqualTo(general.ownBlock(m));
        }
        assertThat(fastEvents).isEqualTo(generalEvents);
        assertThat(general.restHours).isZero();
        // The comparison can fail: most hours took the shortcut, and the episodes it must not change happened.
        assertThat(fast.restHours).isGreaterThan(meters * days * 24L / 3);
        assertThat(fastEvents).anyMatch(e -> e.contains("phase=START")).anyMatch(e -> e.contains("phase=END"))
                .anyMatch(e -> e.contains("BURST"));
    }

    private static void feed(LeakDetector fast, LeakDetector general, int m, long start, long v, int flags, LeakProfile p,
                             LeakDetector.EventSink fastSink, LeakDetector.EventSink generalSink) {
        fast.onInterval(m, start, start + HOUR, v, flags, p, fastSink);
        general.onInterval(m, start, start + HOUR, v, flags, p, generalSink);
        assertThat(fast.ownBlock(m)).as("meter %d at %s", m, Instant.ofEpochMilli(start)).isEqualTo(general.ownBlock(m));
    }
}
