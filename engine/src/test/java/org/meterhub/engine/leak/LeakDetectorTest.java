package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.vee.MeterClass;

/** Each detector on hand-made hourly series in Europe/Athens (daylight saving). */
class LeakDetectorTest {
    private static final ZoneId ATHENS = ZoneId.of("Europe/Athens");
    private static final long HOUR = 3_600_000L;
    private static final long T0 = LocalDate.of(2025, 9, 1).atStartOfDay(ATHENS).toInstant().toEpochMilli();
    private static final LeakProfile WATER = LeakProfile.of(MeterClass.householdWater(), LeakProfile.Settings.defaults());
    private static final LeakProfile GAS = LeakProfile.of(IngestRules.residentialGas(), LeakProfile.Settings.defaults());

    /** A household: 30 L at 07:00 and 20:00 local, 6 L at 13:00, nothing at night. */
    private static int household(long hourStartMs) {
        int h = java.time.Instant.ofEpochMilli(hourStartMs).atZone(ATHENS).getHour();
        return h == 7 || h == 20 ? 30 : h == 13 ? 6 : 0;
    }

    private final List<LeakDetector.Event> events = new ArrayList<>();

    /** Hours [from, to) of one meter; {@code leakMlph} gives the leak's flow per hour index (mL/h). */
    private void feed(LeakDetector d, LeakProfile p, int from, int to, IntUnaryOperator leakMlph, long[] carryMl) {
        for (int h = from; h < to; h++) {
            long start = T0 + h * HOUR;
            carryMl[0] += leakMlph.applyAsInt(h);
            long leakL = carryMl[0] / 1000;
            carryMl[0] -= leakL * 1000;
            d.onInterval(0, start, start + HOUR, household(start) + leakL, 0, p, (s, e) -> events.add(e));
        }
    }

    private List<LeakDetector.Event> starts() {
        return events.stream().filter(e -> e.phase() == LeakDetector.Phase.START).toList();
    }

    @Test
    void aLeakOfOneLitreAnHourIsCaughtByContinuousFlowWithinADayAndAHalf() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        int leakFrom = 30 * 24 + 10; // day 30, 10:00 local: the household's baseline is learnt
        feed(d, WATER, 0, 40 * 24, h -> h >= leakFrom ? 1_000 : 0, new long[1]);
        assertThat(starts()).isNotEmpty();
        LeakDetector.Event first = starts().get(0);
        assertThat(first.kind()).isIn(LeakKind.CONTINUOUS_FLOW, LeakKind.NIGHT_FLOW);
        long delayH = (first.atMs() - (T0 + leakFrom * HOUR)) / HOUR;
        assertThat(delayH).isBetween(24L, 36L);
        assertThat(first.rateMlph()).isEqualTo(1_000);
        assertThat(first.evidence()).contains("usual night floor 0 mL/h");
        assertThat(starts()).hasSize(1); // one leak, one alarm: later findings are evidence on it
        assertThat(events).anySatisfy(e -> assertThat(e.phase()).isEqualTo(LeakDetector.Phase.UPDATE));
    }

    @Test
    void aLeakOfHalfALitreAnHourIsCaughtAsAFloorRiseWithinTheWeek() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        int leakFrom = 30 * 24 + 10;
        feed(d, WATER, 0, 45 * 24, h -> h >= leakFrom ? 500 : 0, new long[1]);
        assertThat(starts()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(LeakKind.FLOOR_RISE);
            assertThat(e.rateMlph()).isEqualTo(500);
            assertThat((e.atMs() - (T0 + leakFrom * HOUR)) / HOUR).isLessThanOrEqualTo(8 * 24);
        });
    }

    @Test
    void aGasBoilerCyclingAtNightIsNoLeak() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int h = 0; h < 120 * 24; h++) {
            long start = T0 + h * HOUR;
            // November on: the boiler burns every hour, 150-700 L, more at night when it is colder
            long v = household(start) + (h >= 60 * 24 ? 150 + r.nextInt(550) : 0);
            d.onInterval(0, start, start + HOUR, v, 0, GAS, (s, e) -> events.add(e));
        }
        // No night flow, continuous flow or burst. The hour floor (gas under a boiler, LeakHourFloorTest) does see this
        // boiler: it never stops, so a floor of about 150 L sits under every hour for weeks, and now and then three
        // blocks' smallest hours meet to the litre — what a 150 L/h leak under a boiler would show. It is raised as a
        // floor rise, which closes no valve by default.
        assertThat(starts()).allSatisfy(e -> assertThat(e.kind()).isEqualTo(LeakKind.HOUR_FLOOR));
        assertThat(starts()).hasSizeLessThanOrEqualTo(1);
        // What tells it from a leak: a burning boiler's smallest hour is one draw of its burn, the next hour another, so
        // its level never holds two hours in a row; a leak's holds through the idle hours. Asked at every floor
        // (floor-held-below-mlph unlimited) the boiler raises nothing — by default it is asked only below 100 L/h, as
        // asking it of larger floors cost gas recall (docs/leak-detection.md, "Not done yet").
        events.clear();
        LeakProfile.Params g = LeakProfile.Params.gas();
        LeakProfile heldAtEveryFloor = LeakProfile.of(IngestRules.residentialGas(), new LeakProfile.Settings(java.util.Map.of(
                org.meterhub.engine.meter.Medium.GAS, new LeakProfile.Params(g.continuousHours(), g.continuousMinMlph(),
                        g.resolutionMl(), g.nightStartHour(), g.nightEndHour(), g.nightMinMlph(), g.nightMarginMlph(),
                        g.nights(), g.learnNights(), g.usualPercentile(), g.steadyNightsOnly(), g.riseMlph(), g.riseNights(),
                        g.burstPercentOfQmax(), g.burstFactor(), g.burstHours(), g.severity2Hours(), g.severity3Hours(),
                        g.updateHours(), g.quietPercentile(), g.continuousNights(), g.steadyAllBelowMlph(), g.floorMinMlph(),
                        g.floorMarginMlph(), g.floorHours(), g.floorBlocks(), g.floorBlockHours(), g.floorTolerancePercent(),
                        g.floorHeldHours(), Long.MAX_VALUE)), java.util.Map.of()));
        LeakDetector held = new LeakDetector(ATHENS, 4);
        r = new java.util.SplittableRandom(5);
        for (int h = 0; h < 120 * 24; h++) {
            long start = T0 + h * HOUR;
            long v = household(start) + (h >= 60 * 24 ? 150 + r.nextInt(550) : 0);
            held.onInterval(0, start, start + HOUR, v, 0, heldAtEveryFloor, (s, e) -> events.add(e));
        }
        assertThat(starts()).isEmpty();
        assertThat(ValvePolicy.defaults().decide(LeakResponder.alarmKind(LeakKind.HOUR_FLOOR), MeterClass.householdGas())
                .close()).isFalse();
    }

    @Test
    void aGasBoilerOrConverterOnDutyForHoursIsNoBurstButFlowAtQmaxIs() {
        // G1.6 (Qmax 2500 L/h) from its first day: a boiler burning 1500 L/h (60 % of Qmax) for 8 h raises nothing, though
        // the household's own hours are not learnt yet; a rupture at Qmax for 3 h is a burst.
        LeakDetector d = new LeakDetector(ATHENS, 4);
        for (int h = 0; h < 4 * 24; h++) {
            long start = T0 + h * HOUR;
            long v = household(start) + (h >= 24 && h < 32 ? 1_500 : 0) + (h >= 72 && h < 76 ? 2_500 : 0);
            d.onInterval(0, start, start + HOUR, v, 0, GAS, (s, e) -> events.add(e));
        }
        assertThat(starts()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(LeakKind.BURST);
            assertThat(e.atMs()).isEqualTo(T0 + 75 * HOUR);
            assertThat(e.evidence()).contains("2500 L/h = 100 % of Qmax on G1.6");
        });
        assertThat(GAS.burstMinLph()).isEqualTo(2_500);
        assertThat(WATER.burstMinLph()).as("water keeps 30 %").isEqualTo(937);
    }

    @Test
    void aGasLeakIsCaughtOnItsThirdSteadyNight() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        int leakFrom = 30 * 24 + 15;
        feed(d, GAS, 0, 35 * 24, h -> h >= leakFrom ? 60_000 : 0, new long[1]);
        assertThat(starts()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(LeakKind.NIGHT_FLOW);
            assertThat((e.atMs() - (T0 + leakFrom * HOUR)) / HOUR).isLessThanOrEqualTo(72);
        });
    }

    @Test
    void aLeakThatStopsClosesItsAlarmWithTheVolumeLostAndASecondLeakRaisesAgain() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        InMemoryAlarmRepository repo = new InMemoryAlarmRepository();
        Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        AlarmService alarms = new AlarmService(repo, AlarmDeadlines.defaults(), a -> { }, clock);
        LeakResponder responder = new LeakResponder(alarms, ValvePolicy.defaults(), IngestRules.noValveCommands(),
                new InMemoryValveDecisionLog(), clock);
        int leak1 = 30 * 24 + 10;
        int stop1 = leak1 + 5 * 24; // five days at 2 L/h: 240 L
        int leak2 = stop1 + 6 * 24;
        long[] carry = new long[1];
        for (int h = 0; h < leak2 + 4 * 24; h++) {
            long start = T0 + h * HOUR;
            boolean leaking = h >= leak1 && h < stop1 || h >= leak2;
            long v = household(start) + (leaking ? 2 : 0);
            d.onInterval(0, start, start + HOUR, v, 0, WATER, (s, e) -> {
                events.add(e);
                responder.onEvent("w1", MeterClass.householdWater(), e);
            });
        }
        List<Alarm> all = repo.bySubject("w1");
        assertThat(all).hasSize(2);
        Alarm first = all.get(0);
        assertThat(first.kind()).isEqualTo(AlarmKind.CONTINUOUS_FLOW);
        assertThat(first.state()).isEqualTo(AlarmState.RESOLVED);
        assertThat(first.resolvedBy()).contains("engine");
        assertThat(first.resolvedAt()).contains(Instant.ofEpochMilli(T0 + stop1 * HOUR));
        assertThat(first.volumeLostL()).hasValue(240);
        assertThat(first.resolution().orElseThrow()).contains("240 L lost in total");
        assertThat(repo.notes(first.id())).anySatisfy(n -> assertThat(n).startsWith("escalated: severity 2"));
        Alarm second = all.get(1);
        assertThat(second.observedAt()).isAfter(Instant.ofEpochMilli(T0 + leak2 * HOUR));
        assertThat(second.open()).isTrue();
        assertThat(second.detail()).contains("2 L/h");
    }

    @Test
    void aShiftWorkerUsingWaterAtNightIsNoLeak() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int h = 0; h < 120 * 24; h++) {
            long start = T0 + h * HOUR;
            int local = Instant.ofEpochMilli(start).atZone(ATHENS).getHour();
            boolean shift = (h / 24) % 3 == 0; // every third night up and about
            long v = household(start) + (shift && local < 6 && r.nextDouble() < 0.8 ? 1 + r.nextInt(40) : 0);
            d.onInterval(0, start, start + HOUR, v, 0, WATER, (s, e) -> events.add(e));
        }
        assertThat(starts()).isEmpty();
    }

    @Test
    void daylightSavingDaysInAthensHave23And25HoursAndTheNightWindowFollowsLocalTime() {
        UtilityTime t = new UtilityTime(ATHENS);
        int spring = (int) LocalDate.of(2025, 3, 30).toEpochDay();
        int autumn = (int) LocalDate.of(2025, 10, 26).toEpochDay();
        assertThat(t.hoursInDay(spring)).isEqualTo(23);
        assertThat(t.hoursInDay(autumn)).isEqualTo(25);
        assertThat(t.hoursInDay(spring + 1)).isEqualTo(24);
        // Count the UTC hours that fall on each local day, and the local 03:00 hours of the autumn day.
        long from = LocalDate.of(2025, 3, 29).atStartOfDay(ATHENS).toInstant().toEpochMilli();
        int[] perDay = new int[3];
        for (long ms = from; ms < from + 71 * HOUR; ms += HOUR) {
            int day = t.localDay(ms) - (spring - 1);
            if (day >= 0 && day < 3) perDay[day]++;
        }
        assertThat(perDay).containsExactly(24, 23, 24);
        long autumnFrom = LocalDate.of(2025, 10, 26).atStartOfDay(ATHENS).toInstant().toEpochMilli();
        int threes = 0;
        int hours = 0;
        for (long ms = autumnFrom; t.localDay(ms) == autumn; ms += HOUR) {
            hours++;
            if (t.localHour(ms) == 3) threes++;
        }
        assertThat(hours).isEqualTo(25);
        assertThat(threes).isEqualTo(2);
        assertThat(t.localHour(Instant.parse("2025-07-01T22:30:00Z").toEpochMilli())).isEqualTo(1); // UTC+3 in summer
        assertThat(t.localHour(Instant.parse("2025-12-01T22:30:00Z").toEpochMilli())).isEqualTo(0); // UTC+2 in winter
    }

    @Test
    void aLeakAcrossTheAutumnTransitionIsStillCaughtAtNight() {
        // Learn through September and October; the leak starts on the 25-hour day itself.
        LeakDetector d = new LeakDetector(ATHENS, 4);
        long leakStart = LocalDate.of(2025, 10, 26).atStartOfDay(ATHENS).toInstant().toEpochMilli() + 2 * HOUR;
        int leakFrom = (int) ((leakStart - T0) / HOUR);
        feed(d, WATER, 0, leakFrom + 4 * 24, h -> h >= leakFrom ? 3_000 : 0, new long[1]);
        assertThat(starts()).singleElement().satisfies(e -> assertThat((e.atMs() - leakStart) / HOUR).isLessThanOrEqualTo(36));
    }

    @Test
    void settingsRefuseAContinuousFlowTheRegisterCannotShow() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LeakProfile.Params(24, 1_000, 10_000, 1, 5, 1_000,
                        1_000, 2, 14, 90, true, 300, 7, 30, 4, 3, 72, 168, 24, 50, 1, 5_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("continuous-min-flow-mlph: expected at least resolution / 4 = 2500 mL/h");
    }
}
