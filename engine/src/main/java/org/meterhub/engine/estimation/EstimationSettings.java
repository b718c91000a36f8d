package org.meterhub.engine.estimation;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The estimation rules' numbers (gas residential; domain rules), as settings.
 *
 * @param requiredFailedReads  a reading may be estimated only after this many failed attempts in the cycle
 * @param maxEstimatedPercent  estimated accounts stay at most this share of residential accounts in the cycle
 */
public record EstimationSettings(int requiredFailedReads, BigDecimal maxEstimatedPercent) {
    public EstimationSettings {
        Objects.requireNonNull(maxEstimatedPercent, "maxEstimatedPercent");
        if (requiredFailedReads < 1) throw new IllegalArgumentException("requiredFailedReads must be at least 1");
        if (maxEstimatedPercent.signum() < 0 || maxEstimatedPercent.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new IllegalArgumentException("maxEstimatedPercent must be 0..100");
        }
    }

    public static EstimationSettings defaults() {
        return new EstimationSettings(3, new BigDecimal("2"));
    }
}
