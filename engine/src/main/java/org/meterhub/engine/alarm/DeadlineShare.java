package org.meterhub.engine.alarm;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * Of the alarms of one kind closed in a period, under one deadline rule: how many had a deadline
 * for the milestone and how many met it (what a regulator asks a utility for). A follow-up not
 * recorded yet counts as not met.
 */
public record DeadlineShare(AlarmKind kind, String rule, Milestone milestone, long applied, long met) {
    /** Met, in percent of applied with one decimal; empty when none applied. */
    public Optional<BigDecimal> percentMet() {
        return percent(met, applied);
    }

    /** {@code met} of {@code applied} in percent with one decimal, rounded half up; empty when none applied. */
    public static Optional<BigDecimal> percent(long met, long applied) {
        if (applied == 0) return Optional.empty();
        return Optional.of(BigDecimal.valueOf(met * 1000L).divide(BigDecimal.valueOf(applied), 0, RoundingMode.HALF_UP)
                .movePointLeft(1));
    }
}
