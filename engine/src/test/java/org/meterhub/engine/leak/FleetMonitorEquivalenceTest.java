package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
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
 * and late readings, must give the same events in the same order.
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
        Reference ref = new Reference(classes, meters, base, expected);
        FleetMonitor monitor = new FleetMonitor(classes, LeakProfile.Settings.defaults(), VeeSettings.defaults(), ZONE, 16,
                base, (s, t, k, a, b) -> actual.add("flag " + s + " " + t + " " + k + " " + a + " " + b),
                (s, e) -> actual.add("leak " + s + " " + e),
                (s, a, b, v, f) -> actual.add("interval " + s + " " + a + " " + b + " " + v + " " + f));
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
                int a = ref.reading(m, t, received, v, flags, supplied);
                monitor.prefetch(m); // must change nothing
                int b = monitor.reading(m, t, received, v, flags, 7, supplied);
                assertThat(b).as("arrival of meter %d at hour %d", m, h).isEqualTo(a);
                if (t > lastT[m]) {
                    lastT[m] = t;
                    lastV[m] = v;
                }
                events++;
            }
        }
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("event %d of %d", i, expected.size()).isEqualTo(expected.get(i));
        }
        assertThat(events).isGreaterThan(meters * days * 24 * 9 / 10);
        assertThat(expected.stream().filter(e -> e.startsWith("leak")).count()).isGreaterThan(50);
        assertThat(expected.stream().filter(e -> e.contains("STUCK_REGISTER") || e.contains("UNIT_MISMATCH")
                || e.contains("REVERSE_FLOW") || e.contains("SPIKE")).count()).isGreaterThan(100);
        assertThat(expected.stream().filter(e -> e.startsWith("interval") && e.endsWith(" 2")).count())
                .as("rollover intervals").isPositive();
        // validation and consumption block, key table, and the leak detectors' state with the household baseline
        assertThat(LeakDetector.perMeterBytes()).isLessThanOrEqualTo(256);
        assertThat(monitor.stateBytesPerMeter()).isLessThan(400);
    }
}
