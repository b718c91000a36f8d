package org.meterhub.engine.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.meterhub.engine.consumption.IntervalFlag;

/**
 * One row of a consumption rollup ({@code consumption_hourly}, {@code _daily}, {@code _monthly}).
 *
 * @param bucket    start of the hour, billing day or month (in the store's rollup zone)
 * @param intervals number of consumption rows summed
 * @param flags     union of their flags
 */
public record RollupRow(String meterId, Instant bucket, long volumeL, int intervals, Set<IntervalFlag> flags) {
    public RollupRow {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(bucket, "bucket");
        flags = Set.copyOf(flags);
    }
}
