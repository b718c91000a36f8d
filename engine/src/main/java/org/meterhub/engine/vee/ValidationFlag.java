package org.meterhub.engine.vee;

import java.time.Instant;
import java.util.Objects;

/**
 * A validation finding on one reading, with the reason in words an operator can act on.
 * Append-only: a flag is never edited or removed; a reading judged fine after review gets a
 * new record elsewhere, not a deleted flag.
 *
 * @param readingTime the flagged reading's time (meter clock, or receive time)
 * @param reason      human-readable, with the numbers behind the decision
 */
public record ValidationFlag(String meterId, Instant readingTime, FlagKind kind, String reason, Instant detectedAt) {
    public ValidationFlag {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(readingTime, "readingTime");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detectedAt, "detectedAt");
    }
}
