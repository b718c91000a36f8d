package org.meterhub.gateway.command;

/** Where a command is in its life: stored → sent (maybe several times) → acked, rejected or expired. */
public enum CommandStatus {
    /** Stored, not yet handed to the broker. */
    PENDING,
    /** Published at least once, no ack yet. */
    SENT,
    /** The meter answered {@code "ok":true}. */
    ACKED,
    /** The meter answered {@code "ok":false}. */
    REJECTED,
    /** No ack before the deadline; an alarm was raised. */
    EXPIRED;

    public boolean open() {
        return this == PENDING || this == SENT;
    }
}
