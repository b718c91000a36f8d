package org.meterhub.engine.estimation;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/** A task for the reading team: an account that must be read (no estimate is allowed or possible). */
public record WorkItem(String accountId, String meterId, YearMonth cycle, Kind kind, String reason, Instant createdAt) {
    public enum Kind {
        /** Commercial or industrial, or an estimate was refused: the meter must be read. */
        MUST_READ,
        /** Missed this cycle but may still be read or estimated later: second visit or contact. */
        SECOND_VISIT,
        /** The meter stopped registering, was disputed or overdrawn: a new (never refurbished) meter is issued. */
        REPLACE_METER
    }

    public WorkItem {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
