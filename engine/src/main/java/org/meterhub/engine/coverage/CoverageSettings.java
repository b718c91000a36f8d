package org.meterhub.engine.coverage;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * The reading targets (gas; domain rules), as settings with the regulations' numbers as defaults.
 *
 * @param monthlyTargetPercent    accounts to read that must be read in each cycle (98 %)
 * @param quarterlyTargetPercent  accounts to read that must be read at least once in the quarter's cycles (100 %)
 * @param maxEstimatedPercent     estimates at most this share of all households managed (2 %)
 * @param commercialReadEvery     commercial and industrial accounts are read at least this often (a week)
 */
public record CoverageSettings(BigDecimal monthlyTargetPercent, BigDecimal quarterlyTargetPercent,
                               BigDecimal maxEstimatedPercent, Duration commercialReadEvery) {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public CoverageSettings {
        percent("monthly-target-percent", monthlyTargetPercent);
        percent("quarterly-target-percent", quarterlyTargetPercent);
        percent("max-estimated-percent", maxEstimatedPercent);
        Objects.requireNonNull(commercialReadEvery, "commercial-read-every");
        if (commercialReadEvery.isNegative() || commercialReadEvery.isZero()) {
            throw new IllegalArgumentException("commercial-read-every: expected a positive duration such as 7d, got "
                    + commercialReadEvery);
        }
    }

    private static void percent(String field, BigDecimal value) {
        if (value == null) throw new IllegalArgumentException(field + ": expected a percentage 0..100, got nothing");
        if (value.signum() < 0 || value.compareTo(HUNDRED) > 0) {
            throw new IllegalArgumentException(field + ": expected a percentage 0..100, got " + value.toPlainString());
        }
    }

    public static CoverageSettings defaults() {
        return new CoverageSettings(new BigDecimal("98"), new BigDecimal("100"), new BigDecimal("2"), Duration.ofDays(7));
    }
}
