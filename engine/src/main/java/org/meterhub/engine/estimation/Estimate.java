package org.meterhub.engine.estimation;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/**
 * An estimated cycle volume: a new record, marked as an estimate; the readings are untouched.
 *
 * @param estimatedRegisterL the register the estimate implies (last actual + volume, wrapping at capacity)
 * @param raisedToPreviousMonth the method gave less than last month and the rule raised it
 * @param basis how the number was reached, with the inputs, for the bill and for audit
 */
public record Estimate(String accountId, String meterId, YearMonth cycle, long volumeL, long baseRegisterL,
                       long estimatedRegisterL, EstimationMethod method, boolean raisedToPreviousMonth,
                       String basis, Instant createdAt) {
    public Estimate {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(createdAt, "createdAt");
        if (volumeL < 0) throw new IllegalArgumentException("negative estimate");
    }
}
