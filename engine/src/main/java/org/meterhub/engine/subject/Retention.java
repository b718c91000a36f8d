package org.meterhub.engine.subject;

/**
 * How long what an erasure keeps must be kept. The domain rules name what must stay (measurement records true and
 * traceable; amounts charged and paid) but no period, so both periods are settings whose default (10 years) is a
 * placeholder for the utility's legal one.
 *
 * @param measurementYears readings, consumption, corrections
 * @param billingYears     bills, bill lines, estimates, true-ups, prepaid purchases and ledger
 */
public record Retention(int measurementYears, int billingYears) {
    /** Bounds that catch a slip (0, 1000) without second-guessing a law. */
    public static final int MIN_YEARS = 1;
    public static final int MAX_YEARS = 100;
    public static final int DEFAULT_YEARS = 10;

    public Retention {
        check("keep-measurement-years", measurementYears);
        check("keep-billing-years", billingYears);
    }

    public static Retention defaults() {
        return new Retention(DEFAULT_YEARS, DEFAULT_YEARS);
    }

    /** One period for both kinds (the {@code --keep-years} override). */
    public static Retention both(int years) {
        return new Retention(years, years);
    }

    private static void check(String field, int years) {
        if (years < MIN_YEARS || years > MAX_YEARS) {
            throw new IllegalArgumentException(field + ": expected " + MIN_YEARS + " to " + MAX_YEARS + " years, got " + years);
        }
    }
}
