package org.meterhub.engine.vee;

import java.time.Duration;
import java.util.Objects;

/**
 * Validation settings; defaults from the domain rules and the gateway's clock check.
 *
 * @param stuckAfter           no consumption for this long on a supplied meter that used before: stuck
 * @param maxClockSkew         meter time further than this from receive time: clock skew
 * @param unitTolerancePercent a register within this of 10×, 100× or 1000× (or 1/…) the previous
 *                             one is a unit mismatch when the jump is also implausible
 */
public record VeeSettings(Duration stuckAfter, Duration maxClockSkew, long unitTolerancePercent) {
    public VeeSettings {
        Objects.requireNonNull(stuckAfter, "stuckAfter");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        if (stuckAfter.isNegative() || stuckAfter.isZero()) throw new IllegalArgumentException("stuckAfter must be positive");
        if (unitTolerancePercent < 0 || unitTolerancePercent > 50) throw new IllegalArgumentException("unitTolerancePercent 0..50");
    }

    public static VeeSettings defaults() {
        return new VeeSettings(Duration.ofDays(30), Duration.ofMinutes(10), 1);
    }
}
