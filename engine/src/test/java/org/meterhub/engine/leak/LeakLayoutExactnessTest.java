package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.VeeSettings;

/**
 * The detectors' words in three parts (hot, warm, cold: {@link LeakDetector#place}) change nothing: random households,
 * water and gas (hour floor on), leaks of 0.5-120 L/h that start and stop, bursts, reading gaps, extra readings,
 * night users and boilers, 50 days across the autumn clock change in Europe/Athens, streamed through
 * {@link FleetMonitor} and through {@link RefFleetMonitor} (main 99411cb's one-array block, kept as a test copy),
 * with judging passes and with judging on the reading: the same flags, intervals and leak events in the same order
 * (evidence text included), and after every day every meter's 26 words the same, word for word. The same for a
 * detector on its own blocks ({@link LeakDetector} against {@link RefLeakDetector}), re-judgements included.
 */
class LeakLayoutExactnessTest {
    private static final long HOUR = 3_600_000L;
    private static final ZoneId ZONE = ZoneId.of("Europe/Athens");
    private static final int METERS = 240;
    private static final int DAYS = 50;
    /** 2026-10-01 00:00 UTC; Athens leaves summer time on 2026-10-25. */
    private static final long START = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();

    @Test
    void withJudgingPassesEveryEventAndEveryWordIsMainsOne() {
        run(FleetMonitor.JUDGE_EVERY);
    }

    @Test
    void withJudgingOnTheReadingEveryEventAndEveryWordIsMainsOne() {
        run(Duration.ZERO);
    }

    private static void run(Duration judgeEvery) {
        List<MeterClass> classes = List.of(MeterClass.householdWater(), MeterClass.householdGas());
        List<LeakProfile> profiles = classes.stream().map(c -> LeakProfile.of(c, LeakProfile.Settings.defaults())).toList();
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        List<String> expectedAlone = new ArrayList<>();
        List<String> actualAlone = new ArrayList<>();
        RefLeakDetector refAlone = new RefLeakDetector(ZONE, 16);
        LeakDetector alone = new LeakDetector(ZONE, 16);
        Households fleet = new Households(METERS, 20261001L);
        @SuppressWarnings("unchecked")
        ArrayDeque<ConsumptionInterval>[] recent = new ArrayDeque[METERS];
        for (int m = 0; m < METERS; m++) recent[m] = new ArrayDeque<>();
        IntervalSink feedAlone = (slot, a, b, v, f) -> {
            LeakProfile p = profiles.get(fleet.gas[slot] ? 1 : 0);
            refAlone.onInterval(slot, a, b, v, f, p, (s, e) -> expectedAlone.add(s + " " + e));
            alone.onInterval(slot, a, b, v, f, p, (s, e) -> actualAlone.add(s + " " + e));
            Set<IntervalFlag> flags = EnumSet.noneOf(IntervalFlag.class);
            for (IntervalFlag x : IntervalFlag.values()) if ((f & IntervalSink.bit(x)) != 0) flags.add(x);
            recent[slot].addLast(new ConsumptionInterval(String.valueOf(slot), Instant.ofEpochMilli(a),
                    Instant.ofEpochMilli(b), v, flags));
            while (recent[slot].size() > 60) recent[slot].removeFirst();
        };
        RefFleetMonitor ref = new RefFleetMonitor(classes, LeakProfile.Settings.defaults(), VeeSettings.defaults(), ZONE,
                16, id -> Optional.empty(), (s, t, k, a, b) -> expected.add("flag " + s + " " + t + " " + k + " " + a + " " + b),
                (s, e) -> expected.add("leak " + s + " " + e), (s, a, b, v, f) -> {
                    expected.add("interval " + s + " " + a + " " + b + " " + v + " " + f);
                    feedAlone.interval(s, a, b, v, f);
                }).judgingEvery(judgeEvery);
        FleetMonitor monitor = new FleetMonitor(classes, LeakProfile.Settings.defaults(), VeeSettings.defaults(), ZONE,
                16, id -> Optional.empty(), (s, t, k, a, b) -> actual.add("flag " + s + " " + t + " " + k + " " + a + " " + b),
                (s, e) -> actual.add("leak " + s + " " + e),
                (s, a, b, v, f) -> actual.add("interval " + s + " " + a + " " + b + " " + v + " " + f))
                .judgingEvery(judgeEvery);
        for (int m = 0; m < METERS; m++) {
            String id = String.format("%014d", m);
            assertThat(ref.keys().slotOf(id)).isEqualTo(m);
            assertThat(monitor.keys().slotOf(id)).isEqualTo(m);
            if (fleet.gas[m]) {
                ref.assignClass(m, 1);
                monitor.assignClass(m, 1); // (the monitor grows here: 16 meters at first)
            }
        }
        Random order = new Random(5);
        int[] meters = new int[METERS];
        for (int m = 0; m < METERS; m++) meters[m] = m;
        int rejudged = 0;
        for (int h = 0; h < DAYS * 24; h++) {
            for (int i = METERS - 1; i > 0; i--) { // a new order every hour
                int j = order.nextInt(i + 1);
                int x = meters[i];
                meters[i] = meters[j];
                meters[j] = x;
            }
            for (int m : meters) {
                for (long[] r : fleet.readings(m, h)) {
                    long t = r[0];
                    int a = ref.reading(m, t, t + 2_000, r[1], 0, 7, true);
                    int b = monitor.reading(m, t, t + 2_000, r[1], 0, 7, true);
                    assertThat(b).isEqualTo(a);
                }
            }
            if ((h + 1) % 24 == 0) {
                int day = (h + 1) / 24;
                sameEvents(actual, expected, "monitor, day " + day);
                for (int m = 0; m < METERS; m++) {
                    assertThat(monitor.blockWords(m)).as("meter %d's words after day %d", m, day)
                            .isEqualTo(ref.blockWords(m));
                }
                if (day % 6 == 0) { // a late day for some meters: both detectors re-judge the last hours
                    for (int m = day % 11; m < METERS; m += 11) {
                        LeakProfile p = profiles.get(fleet.gas[m] ? 1 : 0);
                        List<ConsumptionInterval> hours = List.copyOf(recent[m]);
                        boolean x = refAlone.rejudge(m, p, hours, (s, e) -> expectedAlone.add("re " + s + " " + e));
                        boolean y = alone.rejudge(m, p, hours, (s, e) -> actualAlone.add("re " + s + " " + e));
                        assertThat(y).isEqualTo(x);
                        rejudged++;
                    }
                }
                sameEvents(actualAlone, expectedAlone, "detector alone, day " + day);
                for (int m = 0; m < METERS; m++) {
                    assertThat(alone.blockWords(m)).as("detector alone, meter %d's words after day %d", m, day)
                            .isEqualTo(refAlone.blockWords(m));
                }
            }
        }
        ref.flush();
        monitor.flush();
        sameEvents(actual, expected, "monitor, flushed");
        for (int m = 0; m < METERS; m++) assertThat(monitor.blockWords(m)).isEqualTo(ref.blockWords(m));
        assertThat(monitor.judgingCounts()).isEqualTo(ref.judgingCounts());
        // what the run went through
        assertThat(rejudged).isGreaterThan(100);
        for (String kind : List.of("CONTINUOUS_FLOW", "NIGHT_FLOW", "FLOOR_RISE", "HOUR_FLOOR", "BURST")) {
            long starts = expected.stream().filter(e -> e.contains("phase=START, kind=" + kind)).count();
            assertThat(starts).as("%s episodes started", kind).isPositive();
        }
        assertThat(expected.stream().filter(e -> e.contains("phase=END")).count()).as("episodes ended").isGreaterThan(20);
        assertThat(expected.stream().filter(e -> e.contains("phase=UPDATE")).count()).as("updates").isGreaterThan(20);
        assertThat(expected.stream().filter(e -> e.startsWith("interval") && (Integer.parseInt(e.substring(
                e.lastIndexOf(' ') + 1)) & IntervalSink.bit(IntervalFlag.SPREAD)) != 0).count()).as("gap hours").isGreaterThan(200);
        assertThat(expectedAlone.stream().filter(e -> e.startsWith("re ")).count()).as("re-judged events").isPositive();
    }

    private static void sameEvents(List<String> actual, List<String> expected, String when) {
        assertThat(actual).as("events, %s", when).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("event %d of %d, %s", i, expected.size(), when).isEqualTo(expected.get(i));
        }
    }

    /** Random households: per meter its medium, habits, leaks that start and stop, bursts and reading gaps. */
    private static final class Households {
        final boolean[] gas;
        final long[] register;
        final int[] offsetMin;
        final double[] busy;
        final boolean[] nightUser;
        final boolean[] boiler;
        final int[] leakFromH;
        final int[] leakToH;
        final long[] leakMlph;
        final long[] carryMl;
        final int[] burstFromH;
        final int[] burstHours;
        final int[] gapUntilH;
        final Random rnd;

        Households(int meters, long seed) {
            rnd = new Random(seed);
            gas = new boolean[meters];
            register = new long[meters];
            offsetMin = new int[meters];
            busy = new double[meters];
            nightUser = new boolean[meters];
            boiler = new boolean[meters];
            leakFromH = new int[meters];
            leakToH = new int[meters];
            leakMlph = new long[meters];
            carryMl = new long[meters];
            burstFromH = new int[meters];
            burstHours = new int[meters];
            gapUntilH = new int[meters];
            long[] rates = {500, 800, 1_500, 3_000, 6_000, 12_000, 25_000, 40_000, 60_000, 120_000};
            for (int m = 0; m < meters; m++) {
                gas[m] = rnd.nextBoolean();
                register[m] = rnd.nextInt(5_000_000);
                offsetMin[m] = rnd.nextInt(60);
                busy[m] = 0.3 + rnd.nextDouble() * 1.2;
                nightUser[m] = rnd.nextDouble() < 0.15;
                boiler[m] = gas[m] && rnd.nextDouble() < 0.5;
                leakFromH[m] = Integer.MAX_VALUE;
                if (rnd.nextDouble() < 0.45) {
                    leakFromH[m] = 24 * (2 + rnd.nextInt(DAYS - 4)) + rnd.nextInt(24);
                    leakToH[m] = rnd.nextDouble() < 0.6 ? leakFromH[m] + 24 + rnd.nextInt(24 * 12) : Integer.MAX_VALUE;
                    leakMlph[m] = rates[rnd.nextInt(rates.length)];
                }
                burstFromH[m] = rnd.nextDouble() < 0.15 ? rnd.nextInt(DAYS * 24) : Integer.MAX_VALUE;
                burstHours[m] = 1 + rnd.nextInt(6);
            }
        }

        /** The meter's readings (time, register) in hour {@code h} of the run: none in a gap, sometimes two. */
        List<long[]> readings(int m, int h) {
            long hourStart = START + h * HOUR;
            int localHour = ZONE.getRules().getOffset(Instant.ofEpochMilli(hourStart)).getTotalSeconds() / 3600 + h % 24;
            localHour %= 24;
            register[m] += use(m, h, localHour);
            if (gapUntilH[m] > h) return List.of();
            if (rnd.nextDouble() < 0.006) {
                gapUntilH[m] = h + 1 + rnd.nextInt(rnd.nextDouble() < 0.3 ? 30 : 6);
                return List.of();
            }
            long t = hourStart + offsetMin[m] * 60_000L + rnd.nextInt(50) * 1_000L;
            if (rnd.nextDouble() < 0.08) { // an extra reading in the hour: its litres split between the two
                long half = (t - hourStart) / 2;
                return List.of(new long[] {hourStart + half, register[m] - rnd.nextInt(3)}, new long[] {t, register[m]});
            }
            return List.<long[]>of(new long[] {t, register[m]});
        }

        private long use(int m, int h, int localHour) {
            long v = 0;
            double p;
            if (gas[m]) {
                boolean meal = localHour >= 6 && localHour <= 8 || localHour >= 11 && localHour <= 12
                        || localHour >= 17 && localHour <= 19;
                if (meal && rnd.nextDouble() < 0.6 * busy[m]) v += 50 + rnd.nextInt(250);
                if (boiler[m] && rnd.nextDouble() < 0.55) v += rnd.nextInt(rnd.nextDouble() < 0.5 ? 60 : 900);
                if (nightUser[m] && localHour >= 1 && localHour <= 5 && rnd.nextDouble() < 0.5) v += 20 + rnd.nextInt(40);
            } else {
                p = localHour >= 6 && localHour <= 8 ? 0.8 : localHour >= 18 && localHour <= 22 ? 0.7
                        : localHour >= 1 && localHour <= 5 ? (nightUser[m] ? 0.6 : 0.04) : 0.35;
                p = Math.min(1, p * busy[m]);
                if (rnd.nextDouble() < p) v += 5 + rnd.nextInt(80);
                if (rnd.nextDouble() < p / 3) v += 30 + rnd.nextInt(120);
                if (localHour >= 17 && localHour <= 19 && rnd.nextDouble() < 0.003) v += 400;
            }
            if (h >= leakFromH[m] && h < leakToH[m]) {
                carryMl[m] += leakMlph[m];
                v += carryMl[m] / 1000;
                carryMl[m] %= 1000;
            }
            if (h >= burstFromH[m] && h < burstFromH[m] + burstHours[m]) v += gas[m] ? 3_600 : 2_600;
            return v;
        }
    }
}
