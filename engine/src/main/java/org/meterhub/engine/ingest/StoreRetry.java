package org.meterhub.engine.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a process that writes the store waits before trying again after a failed commit: from
 * {@code initial}, doubling, up to {@code max}. Meanwhile the readings stay in the gateway's journal.
 */
public record StoreRetry(Duration initial, Duration max) {
    public static final StoreRetry DEFAULTS = new StoreRetry(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public StoreRetry {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial: expected a positive duration, got " + initial.toMillis() + " ms");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max: expected at least initial (" + initial.toMillis() + " ms), got "
                    + max.toMillis() + " ms");
        }
    }

    /** The wait after {@code previous} (null or zero: the first failure). */
    public Duration next(Duration previous) {
        if (previous == null || previous.isZero()) return initial;
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(max) > 0 ? max : doubled;
    }
}
