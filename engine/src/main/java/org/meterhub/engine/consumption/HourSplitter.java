package org.meterhub.engine.consumption;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a measured volume over the whole hours it spans, in proportion to time.
 *
 * <p>Pieces are whole litres and always add up to the measured volume exactly (largest-remainder
 * rounding), so hourly rollups can be summed into days and months without drift.
 */
public final class HourSplitter {
    private HourSplitter() {
    }

    public static List<ConsumptionInterval> split(String meterId, Instant start, Instant end, long volumeL,
                                                  Set<IntervalFlag> flags) {
        List<Instant> cuts = new ArrayList<>();
        cuts.add(start);
        Instant hour = start.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        while (hour.isBefore(end)) {
            cuts.add(hour);
            hour = hour.plus(1, ChronoUnit.HOURS);
        }
        cuts.add(end);
        int pieces = cuts.size() - 1;
        if (pieces == 1) {
            return List.of(new ConsumptionInterval(meterId, start, end, volumeL, flags));
        }
        long totalNanos = nanos(start, end);
        long[] share = new long[pieces];
        // remainders compared as exact fractions of totalNanos: volume * piece / total
        java.math.BigInteger total = java.math.BigInteger.valueOf(totalNanos);
        java.math.BigInteger[] rem = new java.math.BigInteger[pieces];
        long assigned = 0;
        for (int i = 0; i < pieces; i++) {
            java.math.BigInteger[] qr = java.math.BigInteger.valueOf(volumeL)
                    .multiply(java.math.BigInteger.valueOf(nanos(cuts.get(i), cuts.get(i + 1))))
                    .divideAndRemainder(total);
            share[i] = qr[0].longValueExact();
            rem[i] = qr[1];
            assigned += share[i];
        }
        long left = volumeL - assigned;
        while (left > 0) {
            int best = 0;
            for (int i = 1; i < pieces; i++) {
                if (rem[i].compareTo(rem[best]) > 0) best = i;
            }
            share[best]++;
            rem[best] = java.math.BigInteger.valueOf(-1);
            left--;
        }
        List<ConsumptionInterval> out = new ArrayList<>(pieces);
        for (int i = 0; i < pieces; i++) {
            out.add(new ConsumptionInterval(meterId, cuts.get(i), cuts.get(i + 1), share[i], flags));
        }
        return out;
    }

    private static long nanos(Instant a, Instant b) {
        return Duration.between(a, b).toNanos();
    }
}
