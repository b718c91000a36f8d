package org.meterhub.engine.estimation;

/** How an estimated volume was computed; stored with the estimate. */
public enum EstimationMethod {
    /** The same cycle last year, scaled by days: gas use follows the heating season. */
    SAME_PERIOD_LAST_YEAR,
    /** Last cycle's daily average times the cycle's days: for accounts without a year of history. */
    LAST_MONTH_DAILY_AVERAGE
}
