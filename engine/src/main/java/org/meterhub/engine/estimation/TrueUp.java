package org.meterhub.engine.estimation;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/**
 * The reconciliation of an estimate once a real reading arrives: a new record; the estimate
 * stays as it was billed. {@code differenceL} is what the next bill adds (positive) or credits.
 */
public record TrueUp(String accountId, String meterId, YearMonth estimatedCycle, long estimatedVolumeL,
                     long actualRegisterL, Instant actualTime, long actualVolumeL, long differenceL,
                     Instant createdAt) {
    public TrueUp {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(estimatedCycle, "estimatedCycle");
        Objects.requireNonNull(actualTime, "actualTime");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
