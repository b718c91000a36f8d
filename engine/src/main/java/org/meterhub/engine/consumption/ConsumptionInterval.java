package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Gas (or water) that passed a meter in [start, end). Intervals never cross an hour boundary,
 * so hourly, daily and monthly totals are exact sums of whole intervals.
 *
 * @param volumeL litres, never negative
 */
public record ConsumptionInterval(String meterId, Instant start, Instant end, long volumeL,
                                  Set<IntervalFlag> flags) {
    public ConsumptionInterval {
        Objects.requireNonNull(meterId, "meterId");
        if (!end.isAfter(start)) throw new IllegalArgumentException("empty interval " + start + ".." + end);
        if (volumeL < 0) throw new IllegalArgumentException("negative consumption " + volumeL);
        flags = Set.copyOf(flags);
    }
}
