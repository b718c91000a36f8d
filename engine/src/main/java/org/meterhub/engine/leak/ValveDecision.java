package org.meterhub.engine.leak;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A recorded valve decision for a leak alarm: whether the policy closed the valve, why, and
 * (a later record with the same alarm id) what the meter answered.
 */
public record ValveDecision(long alarmId, String meterId, boolean close, String reason, Instant decidedAt,
                            Optional<ValveCommander.ValveOutcome> outcome, Optional<Instant> outcomeAt) {
    public ValveDecision {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(outcomeAt, "outcomeAt");
    }
}
