package org.meterhub.engine.prepaid;

import java.time.Instant;
import java.util.Objects;

/** A prepaid alarm starting ({@code raised}) or ending. {@code detail} holds numbers, never customer data. */
public record PrepaidAlarm(String meterId, PrepaidAlarmKind kind, boolean raised, Instant time, String detail) {
    public PrepaidAlarm {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(detail, "detail");
    }
}
