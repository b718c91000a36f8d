package org.meterhub.simulators.usage;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Households with hourly register reads and injected leaks of known size, start and end: the
 * ground truth that leak detection is scored on ({@code meterhub leak evaluate}).
 *
 * <p>Water households draw water in events (toilet 6 L, taps, showers, washing machine, dishwasher)
 * at Poisson rates that follow the local hour, working days and weekends: commuting workers,
 * retired people at home all day, families, shift workers who are active on some nights, and
 * households that water a garden from May to September. Everyone goes away now and then (days
 * without a drop). Gas households cook at meal times, heat water, and — with a boiler — heat from
 * November to March with a burn that follows a day-to-day outdoor temperature and cycles.
 *
 * <p>Leaks: on water meters a constant flow of 0.5-10 L/h (log-uniform), starting at a random
 * minute after the warm-up, lasting 6 h to 4 weeks; a fifth of the leaking meters leak twice. On gas
 * meters (only when {@link Settings#gasLeakShare()} is above 0) the gas equivalent: the same draw of
 * start, duration and repeat at 10-200 L/h, the water range scaled by the media's default smallest
 * detected flows (gas night flow 20 L/h, water 1 L/h: a leak from half to ten times what is detected),
 * on top of the household's cooking, hot water and winter boiler. Gas leaks are drawn from a random
 * stream of their own, so a fleet's water meters, and its gas households' own use, do not change with
 * the share.
 * Data faults on a share of all meters: reading gaps (3-72 h), readings sent twice, and a register
 * stuck for 1-4 days that then jumps to the true count. Registers count whole litres; the fraction
 * of a litre is carried, never lost. Everything is derived from the seed and the meter's index, so a
 * meter can be generated alone and again.
 */
public final class LeakScenarioFleet {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    /**
     * @param warmupDays days before the first leak may start (the households' baselines are learnt on them)
     * @param leakShare  share of water meters with a leak
     * @param gasShare   share of gas meters (60 % of them with a heating boiler)
     * @param faultShare share of meters with data faults
     * @param gasLeakShare share of gas meters with a leak (0: gas meters are leak-free controls)
     */
    public record Settings(int meters, int days, long seed, Instant start, ZoneId zone, int warmupDays,
                           double leakShare, double gasShare, double faultShare, double gasLeakShare) {
        public Settings {
            if (meters < 1 || days < 2 || warmupDays < 0 || warmupDays >= days) {
                throw new IllegalArgumentException("need meters >= 1, days >= 2 and warm-up days below days");
            }
        }

        /** Gas meters leak-free (controls). */
        public Settings(int meters, int days, long seed, Instant start, ZoneId zone, int warmupDays,
                        double leakShare, double gasShare, double faultShare) {
            this(meters, days, seed, start, zone, warmupDays, leakShare, gasShare, faultShare, 0);
        }

        public static Settings of(int meters, int days, long seed) {
            return new Settings(meters, days, seed, Instant.parse("2025-01-01T00:00:00Z"), ZoneId.of("Europe/Athens"),
                    21, 0.3, 0.2, 0.1);
        }
    }

    /** A leak as injected: a constant flow in [start, end). */
    public record Leak(String meterId, Instant start, Instant end, long rateMlph) {
    }

    @FunctionalInterface
    public interface ReadingSink {
        void reading(String meterId, long epochMs, long registerL);
    }

    /** Who lives behind a meter. */
    public enum Household { WORKERS, RETIRED, FAMILY, SHIFT_WORKER, GAS_COOKING, GAS_BOILER }

    private final Settings s;

    public LeakScenarioFleet(Settings settings) {
        this.s = settings;
    }

    public Settings settings() {
        return s;
    }

    public String meterId(int m) {
        return String.format("%014d", 40_000_000_000_000L + m);
    }

    public boolean gas(int m) {
        return plan(m).household.ordinal() >= Household.GAS_COOKING.ordinal();
    }

    public Household household(int m) {
        return plan(m).household;
    }

    public boolean faulty(int m) {
        return plan(m).faulty;
    }

    /** The ground truth: every injected leak, by meter. */
    public List<Leak> leaks() {
        List<Leak> out = new ArrayList<>();
        for (int m = 0; m < s.meters(); m++) out.addAll(plan(m).leaks);
        return out;
    }

    public List<Leak> leaks(int m) {
        return plan(m).leaks;
    }

    /** The meter's readings in time order (duplicates repeated, gaps missing). */
    public void generate(int m, ReadingSink sink) {
        Plan p = plan(m);
        SplittableRandom r = new SplittableRandom(s.seed() * 7_919L + m * 104_729L + 1);
        long startMs = s.start().toEpochMilli();
        long offset = r.nextLong(HOUR); // each meter reads at its own minute and second past the hour
        String id = meterId(m);
        long trueMl = r.nextLong(50_000_000L) * 1_000L;
        long stuckAtL = -1;
        double temp = 5;
        int hours = s.days() * 24;
        double heatNoise = 0;
        for (int h = 0; h < hours; h++) {
            long hourMs = startMs + h * HOUR;
            LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochMilli(hourMs), s.zone());
            if (local.getHour() == 0) {
                heatNoise = 0.7 * heatNoise + r.nextGaussian() * 2.0;
                int doy = local.getDayOfYear();
                temp = 12 - 11 * Math.cos(2 * Math.PI * (doy - 20) / 365.0) + heatNoise;
            }
            trueMl += usageL(p, r, local, hourMs, temp) * 1_000L;
            for (Leak l : p.leaks) trueMl += overlapMl(l, hourMs, hourMs + HOUR);
            long t = hourMs + offset + HOUR;
            if (t >= startMs + hours * HOUR) break;
            long register = trueMl / 1_000L;
            boolean stuck = p.stuckFrom >= 0 && t >= p.stuckFrom && t < p.stuckTo;
            if (stuck) {
                if (stuckAtL < 0) stuckAtL = register;
                register = stuckAtL;
            }
            boolean gap = false;
            for (long[] g : p.gaps) gap |= t >= g[0] && t < g[1];
            if (gap) continue;
            sink.reading(id, t, register);
            if (p.faulty && r.nextDouble() < 0.05) sink.reading(id, t, register); // sent twice
        }
    }

    private static long overlapMl(Leak l, long from, long to) {
        long a = Math.max(from, l.start().toEpochMilli());
        long b = Math.min(to, l.end().toEpochMilli());
        return b <= a ? 0 : l.rateMlph() * (b - a) / HOUR;
    }

    /** Litres drawn in the local hour, without leaks. */
    private long usageL(Plan p, SplittableRandom r, LocalDateTime local, long hourMs, double temp) {
        for (long[] a : p.away) if (hourMs >= a[0] && hourMs < a[1]) return 0;
        int hr = local.getHour();
        boolean weekend = local.getDayOfWeek() == DayOfWeek.SATURDAY || local.getDayOfWeek() == DayOfWeek.SUNDAY;
        int month = local.getMonthValue();
        if (p.household == Household.GAS_COOKING || p.household == Household.GAS_BOILER) {
            long v = 0;
            boolean meal = hr == 7 || hr == 12 || hr == 18 || hr == 19;
            if (meal && r.nextDouble() < 0.7) v += 30 + r.nextInt(120);
            if ((hr == 7 || hr >= 20 && hr <= 22) && r.nextDouble() < 0.25) v += 80 + r.nextInt(150); // hot water
            if (p.household == Household.GAS_BOILER && (month >= 11 || month <= 3)) {
                double setpoint = hr >= 23 || hr < 6 ? 17 : 20;
                double demand = Math.max(0, (setpoint - temp) / 22.0);
                // a boiler cycles: the burn in an hour varies around the demand, often off in mild nights
                double burn = Math.max(0, Math.min(1, demand * (0.4 + 1.2 * r.nextDouble())));
                if (r.nextDouble() < 0.25) burn = 0;
                v += Math.round(burn * 1_400);
            }
            return v;
        }
        double lambda = switch (p.household) {
            case WORKERS -> weekend
                    ? hr >= 8 && hr <= 11 ? 2.5 : hr >= 12 && hr <= 22 ? 1.2 : hr == 23 ? 0.6 : 0.05
                    : hr >= 6 && hr <= 8 ? 3.0 : hr >= 18 && hr <= 22 ? 2.0 : hr >= 9 && hr <= 17 ? 0.15 : hr == 23 ? 0.5 : 0.04;
            case RETIRED -> hr >= 7 && hr <= 21 ? 1.3 : hr == 6 || hr == 22 ? 0.6 : 0.08;
            case FAMILY -> hr >= 6 && hr <= 8 ? 4.0 : hr >= 17 && hr <= 22 ? 3.0 : hr >= 9 && hr <= 16 ? (weekend ? 2.0 : 0.8)
                    : hr == 23 ? 0.8 : 0.08;
            case SHIFT_WORKER -> hr >= 6 && hr <= 8 ? 1.5 : hr >= 18 && hr <= 22 ? 1.5 : hr >= 9 && hr <= 17 ? 0.5 : 0.1;
            default -> 0;
        };
        lambda *= p.size;
        if (p.household == Household.SHIFT_WORKER && (hr < 6 || hr == 23) && p.nightShift(hourMs)) lambda += 1.2;
        long v = 0;
        int events = poisson(r, lambda);
        for (int i = 0; i < events; i++) {
            double u = r.nextDouble();
            v += u < 0.38 ? 6 : u < 0.72 ? 1 + r.nextInt(3) : u < 0.84 ? 35 + r.nextInt(40)
                    : u < 0.90 ? 45 + r.nextInt(20) : u < 0.95 ? 12 : 1 + r.nextInt(10);
        }
        if (p.irrigation && month >= 5 && month <= 9 && (hr == 5 || hr == 20) && r.nextDouble() < 0.3) {
            v += 150 + r.nextInt(350);
        }
        return v;
    }

    private static int poisson(SplittableRandom r, double lambda) {
        if (lambda <= 0) return 0;
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** What happens at a meter, drawn from the seed and the meter's index alone. */
    private final class Plan {
        Household household;
        double size;
        boolean irrigation;
        boolean faulty;
        long shiftSeed;
        final List<Leak> leaks = new ArrayList<>();
        final List<long[]> away = new ArrayList<>();
        final List<long[]> gaps = new ArrayList<>();
        long stuckFrom = -1;
        long stuckTo = -1;

        boolean nightShift(long hourMs) {
            long day = Math.floorDiv(hourMs + 6 * HOUR, DAY); // a shift night spans midnight
            return new SplittableRandom(shiftSeed + day).nextDouble() < 0.35;
        }
    }

    /** A gas meter's leaks: the water draw at 20 times the rate, from a random stream of their own. */
    private void gasLeaks(int m, Plan p, long earliest, long end) {
        SplittableRandom r = new SplittableRandom(s.seed() * 131L + m * 6_700_417L + 7);
        if (r.nextDouble() >= s.gasLeakShare()) return;
        leaks(m, p, r, earliest, end, 10_000); // 10-200 L/h
    }

    /**
     * One leak, or two in one case of five, at a log-uniform rate of {@code lowest} to 20 × {@code lowest} mL/h,
     * lasting hours, days or weeks; a second leak comes after the first was mended.
     */
    private void leaks(int m, Plan p, SplittableRandom r, long earliest, long end, long lowest) {
        int count = r.nextDouble() < 0.2 ? 2 : 1;
        long from = earliest;
        for (int i = 0; i < count && from < end - 6 * HOUR; i++) {
            long rate = Math.round(lowest * Math.pow(20, r.nextDouble()));
            double d = r.nextDouble();
            long duration = d < 0.25 ? (6 + r.nextInt(19)) * HOUR : d < 0.5 ? (24 + r.nextInt(49)) * HOUR
                    : (3 * 24 + r.nextInt(25 * 24)) * HOUR;
            long latest = end - Math.min(duration, 6 * HOUR);
            if (latest <= from) break;
            long a = (from + (long) (r.nextDouble() * (latest - from))) / 60_000 * 60_000;
            long b = Math.min(end, a + duration);
            p.leaks.add(new Leak(meterId(m), Instant.ofEpochMilli(a), Instant.ofEpochMilli(b), rate));
            from = b + 3 * DAY;
        }
    }

    private Plan plan(int m) {
        SplittableRandom r = new SplittableRandom(s.seed() * 31L + m * 2_654_435_761L);
        Plan p = new Plan();
        long start = s.start().toEpochMilli();
        long end = start + s.days() * DAY;
        double u = r.nextDouble();
        if (u < s.gasShare()) {
            p.household = r.nextDouble() < 0.6 ? Household.GAS_BOILER : Household.GAS_COOKING;
        } else {
            double w = r.nextDouble();
            p.household = w < 0.40 ? Household.WORKERS : w < 0.62 ? Household.RETIRED : w < 0.88 ? Household.FAMILY
                    : Household.SHIFT_WORKER;
        }
        p.size = 0.6 + r.nextDouble() * 0.9;
        p.irrigation = r.nextDouble() < 0.15;
        p.shiftSeed = r.nextLong();
        p.faulty = r.nextDouble() < s.faultShare();
        int trips = r.nextInt(3);
        for (int i = 0; i < trips; i++) {
            long a = start + (long) (r.nextDouble() * (end - start));
            p.away.add(new long[] {a, a + (2 + r.nextInt(12)) * DAY});
        }
        if (p.faulty) {
            int gaps = 1 + r.nextInt(3);
            for (int i = 0; i < gaps; i++) {
                long a = start + (long) (r.nextDouble() * (end - start));
                p.gaps.add(new long[] {a, a + (3 + r.nextInt(70)) * HOUR});
            }
            if (r.nextBoolean()) {
                p.stuckFrom = start + (long) (r.nextDouble() * (end - start));
                p.stuckTo = p.stuckFrom + (24 + r.nextInt(73)) * HOUR;
            }
        }
        boolean gas = p.household.ordinal() >= Household.GAS_COOKING.ordinal();
        long earliest = start + s.warmupDays() * DAY;
        if (!gas && r.nextDouble() < s.leakShare()) {
            leaks(m, p, r, earliest, end, 500); // 0.5-10 L/h
        }
        if (gas && s.gasLeakShare() > 0) gasLeaks(m, p, earliest, end);
        return p;
    }
}
