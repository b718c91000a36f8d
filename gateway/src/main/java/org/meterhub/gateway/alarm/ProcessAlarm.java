package org.meterhub.gateway.alarm;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm about a meterhub process itself rather than a meter: its store DOWN, its journal unable to write or short
 * of disk, its clock untrusted. Not stored (the store may be what is down): published on the alarm topic
 * ({@code <prefix>alarms/<subject>}) with the same fields as a stored alarm, {@code category} {@code PROCESS} and no id.
 *
 * @param kind    {@code STORE_DOWN}, {@code JOURNAL_CANNOT_WRITE}, {@code JOURNAL_DISK_LOW}, {@code CLOCK_UNTRUSTED}
 * @param subject the process, e.g. {@code engine-intake-eng-1} or {@code gateway-gw-01}
 * @param resolvedAt null while the condition lasts
 */
public record ProcessAlarm(String kind, String subject, String detail, Instant raisedAt, Instant resolvedAt) {
    public ProcessAlarm {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(raisedAt, "raisedAt");
    }

    public boolean open() {
        return resolvedAt == null;
    }

    /** {@code RAISED} or {@code RESOLVED}, as the {@code state} of a stored alarm. */
    public String state() {
        return open() ? "RAISED" : "RESOLVED";
    }

    public ProcessAlarm resolved(Instant at, String why) {
        return new ProcessAlarm(kind, subject, why, raisedAt, at);
    }
}
