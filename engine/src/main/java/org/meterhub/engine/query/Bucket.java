package org.meterhub.engine.query;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.meterhub.engine.consumption.IntervalFlag;

/**
 * Consumption in [start, end): the exact sum of the intervals whose start lies in it.
 *
 * @param volumeL   litres
 * @param flags     union of the flags of those intervals (in declaration order)
 * @param intervals how many intervals were summed; 0 for an empty bucket
 */
public record Bucket(Instant start, Instant end, long volumeL, Set<IntervalFlag> flags, int intervals) {
    public Bucket {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("empty bucket " + start + ".." + end);
        }
        if (volumeL < 0) {
            throw new IllegalArgumentException("negative volume " + volumeL);
        }
        if (intervals < 0) {
            throw new IllegalArgumentException("negative interval count " + intervals);
        }
        EnumSet<IntervalFlag> copy = EnumSet.noneOf(IntervalFlag.class);
        copy.addAll(flags);
        flags = Collections.unmodifiableSet(copy);
    }

    public boolean isEmpty() {
        return intervals == 0;
    }
}
