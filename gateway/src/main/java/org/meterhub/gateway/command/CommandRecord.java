package org.meterhub.gateway.command;

import java.time.Instant;
import java.util.Objects;

/**
 * A command and what became of it, as the command log lists it.
 *
 * @param lastSentAt null until first published
 * @param finishedAt when it was acked, rejected or expired; null while open
 * @param error      the meter's error text for a rejection, or why it expired; null otherwise
 */
public record CommandRecord(MeterCommand command, CommandStatus status, int attempts, Instant lastSentAt,
                            Instant finishedAt, String error) {
    public CommandRecord {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(status, "status");
    }
}
