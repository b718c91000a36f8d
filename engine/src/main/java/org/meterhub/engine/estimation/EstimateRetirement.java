package org.meterhub.engine.estimation;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/**
 * An estimate retired because a real reading arrived later in the same reading window: the reading
 * is billed, and the estimate no longer counts against the 2 % quota. A new record that names the
 * estimate (account, cycle); the estimate itself stays as it was written.
 */
public record EstimateRetirement(String accountId, YearMonth cycle, String meterId, Instant readingTime,
                                 long readingRegisterL, String reason, Instant retiredAt) {
    public EstimateRetirement {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(readingTime, "readingTime");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(retiredAt, "retiredAt");
    }
}
