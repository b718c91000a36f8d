package org.meterhub.engine.prepaid;

import java.time.Instant;
import java.util.Objects;

/**
 * Field work the engine asks for. An overdrawn prepaid meter must be replaced by a new one
 * (domain rules: never a refurbished meter after an overdraft).
 */
public record WorkItem(String meterId, Kind kind, Instant time, String reason) {
    public enum Kind { REPLACE_METER }

    public WorkItem {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(reason, "reason");
    }
}
