package org.meterhub.engine.attempt;

import java.time.Instant;
import java.util.Objects;

/**
 * One recorded attempt to read a meter: a poll of a remote meter that failed after the poller's
 * retries, or a visit entered by the reading team for a manual one. "Three times not read" (domain
 * rules) counts the failed ones in the reading window, never calendar days.
 *
 * @param accountId  the account, when known (a visit names it; a poll knows only the meter): may be null
 * @param recordedBy {@code gateway:<id>} for a poll, the person who entered a visit
 */
public record ReadAttempt(String accountId, String meterId, Channel channel, Result result, Instant attemptedAt,
                          String note, String recordedBy, Instant recordedAt) {
    public enum Channel { REMOTE_POLL, VISIT }

    public enum Result { READ, FAILED }

    public ReadAttempt {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(attemptedAt, "attemptedAt");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(recordedBy, "recordedBy");
        Objects.requireNonNull(recordedAt, "recordedAt");
        if (meterId.isBlank()) throw new IllegalArgumentException("meterId is blank");
        if (recordedBy.isBlank()) throw new IllegalArgumentException("recordedBy is blank");
    }

    /** A poll that failed after the poller's retries. */
    public static ReadAttempt failedPoll(String meterId, Instant at, String why, String recordedBy) {
        return new ReadAttempt(null, meterId, Channel.REMOTE_POLL, Result.FAILED, at, why, recordedBy, at);
    }
}
