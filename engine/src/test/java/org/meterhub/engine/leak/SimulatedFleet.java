package org.meterhub.engine.leak;

import java.util.SplittableRandom;

/**
 * A seeded fleet of household meters with hourly reads and injected leaks of known size and
 * start, for detection tests and benchmarks. Water households draw in events with a day
 * profile (quiet nights, occasional night use, rare garden watering); gas households cook at
 * meal times with a rare night draw. A leak adds a constant flow from its start.
 * Volumes are whole litres; the leak's fractional litres are carried, never rounded away.
 */
final class SimulatedFleet {
    static final long HOUR = 3_600_000L;

    final int meters;
    final boolean[] gas;
    final long[] leakStartMs;   // Long.MAX_VALUE: no leak
    final long[] leakLph;       // leak flow, litres per hour
    final long[] register;
    final long[] leakCarryMilli;
    final long[] readOffsetMs;  // each meter reads at its own minute past the hour
    private final SplittableRandom rnd;

    SimulatedFleet(int meters, long seed, double leakShare, long startMs, int days) {
        this.meters = meters;
        this.rnd = new SplittableRandom(seed);
        gas = new boolean[meters];
        leakStartMs = new long[meters];
        leakLph = new long[meters];
        register = new long[meters];
        leakCarryMilli = new long[meters];
        readOffsetMs = new long[meters];
        for (int i = 0; i < meters; i++) {
            gas[i] = rnd.nextBoolean();
            register[i] = rnd.nextInt(5_000_000);
            readOffsetMs[i] = rnd.nextInt(60) * 60_000L;
            leakStartMs[i] = Long.MAX_VALUE;
            if (rnd.nextDouble() < leakShare) {
                // 1 to 5 m³/day, starting at a random minute between day 3 and 48 h before the end
                leakLph[i] = (1_000 + rnd.nextInt(4_001)) / 24;
                long window = (days - 5) * 24 * HOUR;
                leakStartMs[i] = startMs + 3 * 24 * HOUR + (long) (rnd.nextDouble() * window) / 60_000 * 60_000;
            }
        }
    }

    /** Usage of the meter in the hour starting at {@code hourMs} (local hour {@code localHour}), without leak. */
    long usage(int m, int localHour) {
        if (gas[m]) {
            boolean meal = localHour >= 6 && localHour <= 8 || localHour >= 11 && localHour <= 12
                    || localHour >= 17 && localHour <= 19;
            if (meal && rnd.nextDouble() < 0.6) return 50 + rnd.nextInt(250);
            if (localHour >= 1 && localHour <= 5 && rnd.nextDouble() < 0.02) return 20 + rnd.nextInt(40);
            return rnd.nextDouble() < 0.03 ? 10 + rnd.nextInt(30) : 0;
        }
        double p = localHour >= 6 && localHour <= 8 ? 0.8 : localHour >= 18 && localHour <= 22 ? 0.7
                : localHour >= 1 && localHour <= 5 ? 0.05 : 0.35;
        long v = 0;
        if (rnd.nextDouble() < p) v += 5 + rnd.nextInt(80);
        if (rnd.nextDouble() < p / 3) v += 30 + rnd.nextInt(120);
        if (localHour >= 17 && localHour <= 19 && rnd.nextDouble() < 0.003) v += 400; // garden watering
        return v;
    }

    /** Leak litres in [fromMs, toMs), carrying the fraction so none is lost. */
    long leak(int m, long fromMs, long toMs) {
        long a = Math.max(fromMs, leakStartMs[m]);
        if (a >= toMs) return 0;
        long milli = leakLph[m] * (toMs - a) + leakCarryMilli[m] * HOUR / 1000;
        long litres = milli / HOUR;
        leakCarryMilli[m] = (milli - litres * HOUR) * 1000 / HOUR;
        return litres;
    }
}
