package org.meterhub.engine.lifecycle;

/**
 * The meter-life numbers, each a setting (docs/accuracy.md, "Meter lifecycle"): an LPG meter older
 * than {@code lpgLimitYears} (6, seed) is not tested by the quality bureau and never issued; the
 * natural-gas household meter's service life (10 years, outside knowledge); the maker's warranty
 * (2 years, seed) from first verification; the monthly scrap review day (26th, seed).
 */
public record LifecycleRules(int naturalGasServiceLifeYears, int lpgLimitYears, int warrantyYears, int scrapReviewDay) {
    public static final LifecycleRules DEFAULTS = new LifecycleRules(10, 6, 2, 26);

    public LifecycleRules {
        years("natural-gas-service-life-years", naturalGasServiceLifeYears);
        years("lpg-limit-years", lpgLimitYears);
        years("warranty-years", warrantyYears);
        if (scrapReviewDay < 1 || scrapReviewDay > 28) throw new IllegalArgumentException("scrap-review-day: expected 1..28, got " + scrapReviewDay);
    }

    /** Service life of a meter of this gas type, years. */
    public int lifeYears(GasType g) {
        return g == GasType.LPG ? lpgLimitYears : naturalGasServiceLifeYears;
    }

    private static void years(String field, int v) {
        if (v < 1 || v > 50) throw new IllegalArgumentException(field + ": expected 1..50 years, got " + v);
    }
}
