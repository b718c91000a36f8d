package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.vee.MeterClass;

/**
 * The hour floor on a gas household with a heating boiler in winter: cooking at meal times, a boiler that burns with
 * the day's temperature, a lower set point at night and a quarter of its hours off, read a little after the hour
 * (so a clock hour is zero only when two boiler hours in a row are off) — no quiet night to rest on.
 */
class LeakHourFloorTest {
    private static final ZoneId ATHENS = ZoneId.of("Europe/Athens");
    private static final long HOUR = 3_600_000L;
    private static final long T0 = LocalDate.of(2025, 9, 1).atStartOfDay(ATHENS).toInstant().toEpochMilli();
    private static final MeterClass GAS_WITH_VALVE = MeterClass.householdGas();
    private static final LeakProfile GAS = LeakProfile.of(GAS_WITH_VALVE, LeakProfile.Settings.defaults());
    /** Gas with a single hour at the floor enough (floor-held-hours: 1, the rule before issue 15's false alarms). */
    private static final LeakProfile ONE_HOUR_FLOOR = LeakProfile.of(GAS_WITH_VALVE, new LeakProfile.Settings(
            java.util.Map.of(org.meterhub.engine.meter.Medium.GAS, withHeldHours(LeakProfile.Params.gas(), 1)), java.util.Map.of()));

    private static LeakProfile.Params withHeldHours(LeakProfile.Params g, int held) {
        return new LeakProfile.Params(g.continuousHours(), g.continuousMinMlph(), g.resolutionMl(),
                g.nightStartHour(), g.nightEndHour(), g.nightMinMlph(), g.nightMarginMlph(), g.nights(), g.learnNights(),
                g.usualPercentile(), g.steadyNightsOnly(), g.riseMlph(), g.riseNights(), g.burstPercentOfQmax(),
                g.burstFactor(), g.burstHours(), g.severity2Hours(), g.severity3Hours(), g.updateHours(),
                g.quietPercentile(), g.continuousNights(), g.steadyAllBelowMlph(), g.floorMinMlph(), g.floorMarginMlph(),
                g.floorHours(), g.floorBlocks(), g.floorBlockHours(), g.floorTolerancePercent(), held,
                g.floorHeldBelowMlph());
    }
    /** Hours from T0 (1 September) to 1 December and to 1 April, local. */
    private static final int DEC_1 = hoursTo(LocalDate.of(2025, 12, 1));
    private static final int APR_1 = hoursTo(LocalDate.of(2026, 4, 1));

    /** The leaks' length: twenty days (ten did not hold the floor two hours in a row in this household's December). */
    private static final int LEAK_HOURS = 20 * 24;

    private final List<LeakDetector.Event> events = new ArrayList<>();

    private static int hoursTo(LocalDate d) {
        return (int) ((d.atStartOfDay(ATHENS).toInstant().toEpochMilli() - T0) / HOUR);
    }

    /**
     * The household's true use (L) in each hour from T0 to {@code hours}, then each clock hour as the meter's hour
     * split shows it: 40 % of the hour before the reading, 60 % of the one after.
     */
    private static long[] boilerHousehold(long seed, int hours) {
        return boilerHousehold(seed, hours, 0.4);
    }

    /** As above, the clock hour {@code before} of the hour before the reading and the rest of the one after. */
    private static long[] boilerHousehold(long seed, int hours, double before) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] use = new double[hours + 1];
        double temp = 8;
        for (int h = 0; h <= hours; h++) {
            LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochMilli(T0 + h * HOUR), ATHENS);
            int hr = t.getHour();
            if (hr == 0) temp = 12 - 11 * Math.cos(2 * Math.PI * (t.getDayOfYear() - 20) / 365.0) + 2.5 * r.nextGaussian();
            double v = 0;
            if ((hr == 7 || hr == 12 || hr == 18 || hr == 19) && r.nextDouble() < 0.7) v += 30 + r.nextInt(120);
            if ((hr == 7 || hr >= 20 && hr <= 22) && r.nextDouble() < 0.25) v += 80 + r.nextInt(150);
            int month = t.getMonthValue();
            if (month >= 11 || month <= 3) {
                double demand = Math.max(0, ((hr >= 23 || hr < 6 ? 17 : 20) - temp) / 22.0);
                double burn = Math.min(1, demand * (0.4 + 1.2 * r.nextDouble()));
                if (r.nextDouble() < 0.25) burn = 0;
                v += burn * 1_400;
            }
            use[h] = v;
        }
        long[] clock = new long[hours];
        for (int h = 0; h < hours; h++) clock[h] = Math.round(before * use[h] + (1 - before) * use[h + 1]);
        return clock;
    }

    /** Feeds the hours with a leak of {@code leakMlph} in [leakFrom, leakTo) (register steps of a litre carried over). */
    private void feed(LeakDetector d, long[] clock, int leakFrom, int leakTo, long leakMlph) {
        feed(d, clock, leakFrom, leakTo, leakMlph, GAS);
    }

    private void feed(LeakDetector d, long[] clock, int leakFrom, int leakTo, long leakMlph, LeakProfile profile) {
        long carry = 0;
        for (int h = 0; h < clock.length; h++) {
            long leakL = 0;
            if (h >= leakFrom && h < leakTo) {
                carry += leakMlph;
                leakL = carry / 1000;
                carry -= leakL * 1000;
            }
            long start = T0 + h * HOUR;
            d.onInterval(0, start, start + HOUR, clock[h] + leakL, 0, profile, (s, e) -> events.add(e));
        }
        d.flush(0, profile, (s, e) -> events.add(e));
    }

    private List<LeakDetector.Event> of(LeakDetector.Phase phase) {
        return events.stream().filter(e -> e.phase() == phase).toList();
    }

    @Test
    void theBoilerHouseholdHasNoQuietNightInWinter() {
        long[] clock = boilerHousehold(7, APR_1);
        int zeroNights = 0;
        int nights = 0;
        for (int day = DEC_1 / 24; day < DEC_1 / 24 + 60; day++) {
            boolean zero = false;
            for (int h = day * 24 + 1; h < day * 24 + 5; h++) zero |= clock[h] == 0;
            nights++;
            if (zero) zeroNights++;
        }
        // the premise: most winter nights have no empty hour between 01:00 and 05:00 (night flow cannot rest on them)
        assertThat(zeroNights).isLessThan(nights / 2);
    }

    @ParameterizedTest
    @ValueSource(longs = {20_500, 30_000, 40_000})
    void aGasLeakUnderAWinterBoilerIsCaughtByItsHourFloor(long leakMlph) {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        long[] clock = boilerHousehold(11, APR_1);
        int from = DEC_1 + 10 * 24 + 15; // 11 December, 15:00 local, for twenty days
        feed(d, clock, from, from + LEAK_HOURS, leakMlph);
        List<LeakDetector.Event> starts = of(LeakDetector.Phase.START);
        assertThat(starts).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(LeakKind.HOUR_FLOOR);
            long afterH = (e.atMs() - (T0 + from * HOUR)) / HOUR;
            // not before its window of 72 h is full; in this household's cold December two boiler hours in a row are
            // off about once a day, so the third block at the floor can take a week — and the floor must hold two
            // clock hours in a row (three boiler hours off in a row, read 40 % into the hour), which here first
            // happens 275 h into the leak (floor-held-hours; docs/leak-detection.md, "Not done yet")
            assertThat(afterH).isBetween(72L, (long) LEAK_HOURS);
            assertThat(e.rateMlph()).isBetween(leakMlph - 2_000, leakMlph + 2_000);
            assertThat(e.evidence()).contains("of the last 6 blocks of 12 h with their smallest hour at");
        });
        // raised as a floor rise: an alarm, and by default no valve close (never for a night's or a floor's flow alone)
        assertThat(LeakResponder.alarmKind(LeakKind.HOUR_FLOOR)).isEqualTo(AlarmKind.FLOOR_RISE);
        assertThat(ValvePolicy.defaults().decide(AlarmKind.FLOOR_RISE, GAS_WITH_VALVE).close()).isFalse();
    }

    @Test
    void theSameHouseholdsWithoutALeakRaiseNothingFromSeptemberToMarch() {
        for (long seed = 1; seed <= 20; seed++) {
            LeakDetector d = new LeakDetector(ATHENS, 4);
            feed(d, boilerHousehold(seed, APR_1), 0, 0, 0);
            long household = seed;
            assertThat(events).as("household %d", household).isEmpty();
        }
    }

    /**
     * The water fleet's leak-free gas controls (issue 15): boiler households read 58 minutes past the hour. In a cold
     * spell a clock hour whose boiler hour was off shows 3 % of the burn next to it — a thin slice that repeats a level
     * to the litre (42 L of a burn at its full 1400 L) or crowds into a few tens of litres, every hour above 20 L/h: a
     * floor rise with one hour at the floor each time. A leak's floor holds through idle hours in a row; a slice lasts
     * one hour.
     */
    @Test
    void aBoilerReadJustAfterTheHourHasThinPartlyBurntHoursThatAreNoFloor() {
        int raisedBefore = 0;
        for (long seed = 1; seed <= 30; seed++) {
            events.clear();
            feed(new LeakDetector(ATHENS, 4), boilerHousehold(seed, APR_1, 0.97), 0, 0, 0);
            assertThat(events).as("household %d", seed).isEmpty();
            events.clear();
            feed(new LeakDetector(ATHENS, 4), boilerHousehold(seed, APR_1, 0.97), 0, 0, 0, ONE_HOUR_FLOOR);
            if (!of(LeakDetector.Phase.START).isEmpty()) raisedBefore++;
        }
        // the same households with a single hour at the floor enough (as before floor-held-hours) do raise
        assertThat(raisedBefore).isPositive();
    }

    @Test
    void aLeakThatStopsClosesItsAlarmWithTheVolumeLost() {
        LeakDetector d = new LeakDetector(ATHENS, 4);
        long[] clock = boilerHousehold(11, APR_1);
        int from = DEC_1 + 10 * 24 + 15;
        int to = from + LEAK_HOURS;
        feed(d, clock, from, to, 30_000);
        LeakDetector.Event start = of(LeakDetector.Phase.START).get(0);
        assertThat(of(LeakDetector.Phase.END)).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(LeakKind.HOUR_FLOOR);
            long endedAfterStopH = (e.atMs() - (T0 + to * HOUR)) / HOUR;
            assertThat(endedAfterStopH).isBetween(0L, 24L); // at the first hour below the floor after the stop
            long hours = (e.atMs() - e.sinceMs()) / HOUR;
            assertThat(e.lostL()).isBetween(hours * 30 * 9 / 10, hours * 30 * 11 / 10); // ~30 L every flowing hour
            assertThat(e.lostL()).isBetween(LEAK_HOURS * 30 * 9 / 10L, LEAK_HOURS * 30 * 13 / 10L); // ~14 400 L in 20 days
            assertThat(e.sinceMs()).isEqualTo(start.sinceMs());
        });
        assertThat(of(LeakDetector.Phase.UPDATE)).isNotEmpty().allSatisfy(e -> assertThat(e.kind()).isEqualTo(LeakKind.HOUR_FLOOR));
        assertThat(of(LeakDetector.Phase.START)).hasSize(1); // the household's ordinary winter after it raises nothing
    }

    @Test
    void waterHasNoHourFloorAndItsSettingsAreChecked() {
        assertThat(LeakProfile.Params.water().floorMinMlph()).isZero();
        assertThat(LeakProfile.Params.gas().floorMinMlph()).isEqualTo(20_000);
        LeakProfile.Params g = LeakProfile.Params.gas();
        assertThatThrownBy(() -> new LeakProfile.Params(g.continuousHours(), g.continuousMinMlph(), g.resolutionMl(),
                g.nightStartHour(), g.nightEndHour(), g.nightMinMlph(), g.nightMarginMlph(), g.nights(), g.learnNights(),
                g.usualPercentile(), g.steadyNightsOnly(), g.riseMlph(), g.riseNights(), g.burstPercentOfQmax(),
                g.burstFactor(), g.burstHours(), g.severity2Hours(), g.severity3Hours(), g.updateHours(),
                g.quietPercentile(), g.continuousNights(), g.steadyAllBelowMlph(), 20_000, 20_000, 100, 3, 12, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("floor-hours: expected 24 to 336, two to 6 whole blocks of floor-block-hours = 12");
        assertThat(g.floorHeldHours()).isEqualTo(2);
        assertThat(g.floorHeldBelowMlph()).isEqualTo(100_000);
        assertThatThrownBy(() -> withHeldHours(g, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("floor-held-hours: expected 1 to 4 (the hours a meter's state keeps)");
        assertThatThrownBy(() -> withHeldHours(g, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("floor-held-hours: expected 1 to 4");
    }
}
