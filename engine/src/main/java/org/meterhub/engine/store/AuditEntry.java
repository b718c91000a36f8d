package org.meterhub.engine.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One access to metering data (consumption records are sensitive personal data: every access
 * is logged).
 *
 * @param actor   who asked (user or service name), or "anonymous"
 * @param action  what was asked, e.g. {@code GET /api/v1/meters/{id}/consumption}
 * @param subject whose data: a meter id, {@code district:<id>} or {@code *}
 * @param detail  the query parameters
 * @param client  the caller's address
 * @param purpose why the data was read, as the reader stated it; empty when none was given (the roles that must
 *                state one are a setting: docs/security.md)
 */
public record AuditEntry(Instant at, String actor, String action, String subject, String detail, String client,
                         String purpose) {
    /** Without a stated purpose (actions, and reads by roles that need none). */
    public AuditEntry(Instant at, String actor, String action, String subject, String detail, String client) {
        this(at, actor, action, subject, detail, client, "");
    }

    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        detail = detail == null ? "" : detail;
        client = client == null ? "" : client;
        purpose = purpose == null ? "" : purpose;
    }
}
