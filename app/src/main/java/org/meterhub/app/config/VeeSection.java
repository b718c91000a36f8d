package org.meterhub.app.config;

import java.time.Duration;
import org.meterhub.engine.vee.VeeSettings;

/**
 * The gateway YAML's {@code vee:} section (docs/metering-engine.md, "Validation"): the thresholds of the validation
 * the engine runs on every reading ({@link org.meterhub.engine.vee.Validator}). Every field optional; defaults are
 * {@link VeeSettings#defaults()}. The validator treats every medium alike (the spike limit comes from each meter's
 * class, its Qmax), so the section has no per-medium parts.
 *
 * @param stuckAfter           no consumption for this long on a supplied meter that used before: stuck register
 *                             (default 30d; 1d to 366d)
 * @param maxClockSkew         a meter time further than this from the receive time is flagged as clock skew (default
 *                             10m; up to 1d). Apart from {@code poll.max-clock-skew}, which decides whether the gateway
 *                             trusts a polled meter's clock
 * @param unitTolerancePercent a register within this percentage of 10×, 100× or 1000× (or 1/…) the previous one is a
 *                             unit mismatch when the jump is also implausible (default 1; 0 to 50)
 */
public record VeeSection(Duration stuckAfter, Duration maxClockSkew, Integer unitTolerancePercent) {
    public VeeSection {
        VeeSettings d = VeeSettings.defaults();
        stuckAfter = GatewayConfig.positive(stuckAfter, d.stuckAfter(), "stuck-after");
        if (stuckAfter.compareTo(Duration.ofDays(1)) < 0 || stuckAfter.compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("stuck-after: expected 1d to 366d, got " + Durations.format(stuckAfter));
        }
        maxClockSkew = GatewayConfig.positive(maxClockSkew, d.maxClockSkew(), "max-clock-skew");
        if (maxClockSkew.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("max-clock-skew: expected 1ms to 1d, got " + Durations.format(maxClockSkew));
        }
        unitTolerancePercent = GatewayConfig.range(unitTolerancePercent, (int) d.unitTolerancePercent(), 0, 50,
                "unit-tolerance-percent");
    }

    public static VeeSection defaults() {
        return new VeeSection(null, null, null);
    }

    /** The engine's settings for this section. */
    public VeeSettings settings() {
        return new VeeSettings(stuckAfter, maxClockSkew, unitTolerancePercent);
    }
}
