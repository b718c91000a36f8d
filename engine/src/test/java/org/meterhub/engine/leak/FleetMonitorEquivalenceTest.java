package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionCalculator;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.consumption.MeterKeys;
import org.meterhub.engine.consumption.ReadingHistory;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.Validator;
import org.meterhub.engine.vee.VeeSettings;

/**
 * The packed {@link FleetMonitor} against the three stages it packs ({@link Validator},
 * {@link ConsumptionCalculator#advance}, {@link LeakDetector}) composed on their own arrays: the
 * same readings, with leaks, faults, spikes, unit changes, decreases, rollovers, gaps, duplicates
 * and late readings, must give the same events in the same order — with the hours judged on the readings that
 * complete them ({@link FleetMonitor#judgingEvery} zero), event for event; with the hours judged in passes (the
 * default), the same flags and intervals in the same order and each meter's leak events the same in the same order,
 * none later than one judging interval of fleet clock after the reference gave it.
 */
class FleetMonitorEquivalenceTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final long HOUR = SimulatedFleet.HOUR;

    /** The stages on separate arrays, wired as the monitor wires them. */
    private static final class Reference {
        final MeterKeys keys = new MeterKeys(16);
        final ConsumptionCalculator calc;
        final Validator validator = new Validator(VeeSettings.defaults(), 16);
        final LeakDetector leaks = new LeakDetector(ZONE, 16);
        final List<MeterClass> classes;
        final List<LeakProfile> profiles;
        final int[] classOf;
        final List<String> events;
        LeakProfile current;

        Reference(List<MeterClass> classes, int meters, Function<String, Optional<ConsumptionCalculator.Baseline>> base,
                  List<String> events) {
            this.classes = classes;
            this.profiles = classes.stream().map(c -> LeakProfile.of(c, LeakProfile.Settings.defaults())).toList();
            this.classOf = new int[meters];
            this.events = events;
            this.calc = new ConsumptionCalculator(ConsumptionSettings.defaults(), base, ReadingHistory.none(), keys, 16);
        }

        int reading(int slot, long t, long received, long v, int flags, boolean supplied) {
            current = profiles.get(classOf[slot]);
            validator.check(slot, calc.lastTimeMs(slot), calc.lastVolumeL(slot), t, v, calc.capacityL(slot), flags, 7,
                    received, classes.get(classOf[slot]), supplied,
                    (s, time, kind, a, b) -> events.add("flag " + s + " " + time + " " + kind + " " + a + " " + b));
            IntervalSink sink = (s, a, b, vol, f) -> {
                events.add("interval " + s + " " + a + " " + b + " " + vol + " " + f);
                leaks.onInterval(s, a, b, vol, f, current,
                        (s2, e) -> events.add("leak " + s2 + " " + e));
            };
            return calc.advance(slot, t, v, sink);
        }
    }

    @Test
    void thePackedMonitorDecidesExactlyWhatTheSeparateStagesDecide() {
        Run run = run(Duration.ZERO);
        assertThat(run.actual).hasSameSizeAs(run.expected);
        for (int i = 0; i < run.expected.size(); i++) {
            assertThat(run.actual.get(i)).as("event %d of %d", i, run.expected.size()).isEqualTo(run.expected.get(i));
        }
        assertThat(run.judging[0]).as("no judging pass").isZero();
    }

    @Test
    void hoursJudgedInPassesGiveTheSameVerdictsPerMeterWithinOneJudgingInterval() {
        Duration every = FleetMonitor.JUDGE_EVERY;
        Run run = run(every);
        assertThat(run.actual).hasSameSizeAs(run.expected);
        // flags and intervals: the same, in the same order
        assertThat(run.actual.stream().filter(e -> !e.startsWith("leak")).toList())
                .isEqualTo(run.expected.stream().filter(e -> !e.startsWith("leak")).toList());
        // leak events: each meter's the same in the same order; given by the next pass
        Map<Integer, List<Integer>> expectedByMeter = leaksByMeter(run.expected);
        Map<Integer, List<Integer>> actualByMeter = leaksByMeter(run.actual);
        assertThat(actualByMeter.keySet()).isEqualTo(expectedByMeter.keySet());
        long maxLag = 0;
        for (int m : expectedByMeter.keySet()) {
            List<Integer> e = expectedByMeter.get(m);
            List<Integer> a = actualByMeter.get(m);
            assertThat(a).as("leak events of meter %d", m).hasSameSizeAs(e);
            for (int k = 0; k < e.size(); k++) {
                assertThat(run.actual.get(a.get(k))).isEqualTo(run.expected.get(e.get(k)));
                // The pass after the hour completed runs at the first reading at or past the next multiple of the
                // interval, at most one interval on, plus how far the clock moves at one reading (this test feeds each
                // hour's readings in meter order, not in time order).
                long lag = run.actualClock.get(a.get(k)) - run.expectedClock.get(e.get(k));
                assertThat(lag).as("meter %d's leak event %d given %d ms of fleet clock later", m, k, lag)
                        .isBetween(0L, every.toMillis() + run.clockStep);
                maxLag = Math.max(maxLag, lag);
            }
        }
        assertThat(maxLag).as("some verdicts wait for a pass").isPositive();
        long[] judging = run.judging;
        assertThat(judging[0]).as("passes (each with hours waiting)").isGreaterThan(12L * 24 * 3);
        assertThat(judging[1]).as("meter-hours judged in passes").isGreaterThan(judging[2] * 10);
    }

    private static Map<Integer, List<Integer>> leaksByMeter(List<String> events) {
        Map<Integer, List<Integer>> byMeter = new TreeMap<>();
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            if (e.startsWith("leak ")) byMeter.computeIfAbsent(Integer.parseInt(e.split(" ")[1]), k -> new ArrayList<>()).add(i);
        }
        return byMeter;
    }

    /** Events of the reference and of the monitor, each with the fleet clock (latest reading time fed) when given. */
    private record Run(List<String> expected, List<Long> expectedClock, List<String> actual, List<Long> actualClock,
                       long[] judging, long clockStep) {
    }

    private static Run run(Duration judgeEvery) {
        int meters = 400;
        int days = 12;
        long start = Instant.parse("2026-10-31T16:00:00Z").toEpochMilli();
        SimulatedFleet fleet = new SimulatedFleet(meters, 7L, 0.4, start, days);
        List<MeterClass> classes = List.of(MeterClass.householdWater(), MeterClass.householdGas());
        // Some meters start from a commissioning baseline, one with a small register that wraps.
        Function<String, Optional<ConsumptionCalculator.Baseline>> base = id -> {
            long n = Long.parseLong(id);
            if (n % 7 != 0) return Optional.empty();
            long cap = n % 14 == 0 ? 10_000_000L : MeterInfo.CJT188_CAPACITY_L;
            return Optional.of(new ConsumptionCalculator.Baseline(Instant.ofEpochMilli(start - 3 * HOUR), 0, cap));
        };
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        List<Long> expectedClock = new ArrayList<>();
        List<Long> actualClock = new ArrayList<>();
        long[] clock = {Long.MIN_VALUE};
        long clockStep = 0;
        Reference ref = new Reference(classes, meters, base, expected);
        FleetMonitor monitor = new FleetMonitor(classes, LeakProfile.Settings.defaults(), VeeSettings.defaults(), ZONE, 16,
                base, (s, t, k, a, b) -> actual.add("flag " + s + " " + t + " " + k + " " + a + " " + b),
                (s, e) -> actual.add("leak " + s + " " + e),
                (s, a, b, v, f) -> actual.add("interval " + s + " " + a + " " + b + " " + v + " " + f))
                .judgingEvery(judgeEvery);
        for (int m = 0; m < meters; m++) {
            String id = String.format("%014d", m);
            assertThat(ref.keys.slotOf(id)).isEqualTo(m);
            assertThat(monitor.keys().slotOf(id)).isEqualTo(m);
            ref.classOf[m] = fleet.gas[m] ? 1 : 0;
            monitor.assignClass(m, ref.classOf[m]);
            if (m % 14 == 0) fleet.register[m] = 9_999_000L - m; // near the top of a 10 m³ register
        }
        Random rnd = new Random(11);
        long[] lastT = new long[meters];
        long[] lastV = new long[meters];
        int events = 0;
        for (int h = 0; h < days * 24; h++) {
            long hourStart = start + h * HOUR;
            for (int m = 0; m < meters; m++) {
                long t = hourStart + fleet.readOffsetMs[m];
                long cap = m % 14 == 0 ? 10_000_000L : MeterInfo.CJT188_CAPACITY_L;
                fleet.register[m] = (fleet.register[m] + fleet.usage(m, h % 24) + fleet.leak(m, t - HOUR, t)) % cap;
                long v = fleet.register[m];
                int flags = 0;
                long received = t + 2_000;
                int dice = rnd.nextInt(1000);
                if (dice < 30) continue;                                     // a missed read: a gap
                if (dice < 35) v = Math.max(0, v - 500);                     // register decrease
                else if (dice < 38) v = v + 9_000;                           // spike
                else if (dice < 40 && v >= 1000) v = v * 10;                 // unit mismatch
                else if (dice < 45) flags |= Validator.bit(ReadingFlag.LOW_BATTERY);
                else if (dice < 48) received = t + 20 * 60_000L;             // clock skew
                else if (dice < 52 && lastT[m] != 0) {                       // duplicate or late reading
                    t = dice < 50 ? lastT[m] : lastT[m] - 60_000L;
                    v = lastV[m];
                }
                boolean supplied = m % 5 != 0;
                if (Math.abs(t - received) <= VeeSettings.defaults().maxClockSkew().toMillis()) {
                    if (clock[0] != Long.MIN_VALUE) clockStep = Math.max(clockStep, t - clock[0]);
                    clock[0] = Math.max(clock[0], t); // the monitor's fleet clock
                }
                int a = ref.reading(m, t, received, v, flags, supplied);
                while (expectedClock.size() < expected.size()) expectedClock.add(clock[0]);
                monitor.prefetch(m); // must change nothing
                int b = monitor.reading(m, t, received, v, flags, 7, supplied);
                while (actualClock.size() < actual.size()) actualClock.add(clock[0]);
                assertThat(b).as("arrival of meter %d at hour %d", m, h).isEqualTo(a);
                if (t > lastT[m]) {
                    lastT[m] = t;
                    lastV[m] = v;
                }
                events++;
            }
        }
        // The end of the stream: the hours still waiting for a pass (the reference judged them on their readings).
        monitor.judgeCompleteHours();
        while (actualClock.size() < actual.size()) actualClock.add(clock[0]);
        assertThat(events).isGreaterThan(meters * days * 24 * 9 / 10);
        assertThat(expected.stream().filter(e -> e.startsWith("leak")).count()).isGreaterThan(50);
        assertThat(expected.stream().filter(e -> e.contains("STUCK_REGISTER") || e.contains("UNIT_MISMATCH")
                || e.contains("REVERSE_FLOW") || e.contains("SPIKE")).count()).isGreaterThan(100);
        assertThat(expected.stream().filter(e -> e.startsWith("interval") && e.endsWith(" 2")).count())
                .as("rollover intervals").isPositive();
        // validation and consumption block, key table, and the leak detectors' state with the household baseline
        assertThat(LeakDetector.perMeterBytes()).isLessThanOrEqualTo(256);
        assertThat(monitor.stateBytesPerMeter()).isLessThan(400);
        assertThat(clockStep).as("the largest step of the fleet clock at one reading").isLessThan(HOUR);
        return new Run(expected, expectedClock, actual, actualClock, monitor.judgingCounts(), clockStep);
    }
}
