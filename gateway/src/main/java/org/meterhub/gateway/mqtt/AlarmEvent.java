package org.meterhub.gateway.mqtt;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm starting or ending on one meter. Meter alarms are edge-triggered: a meter that reports
 * {@code low_balance} in every uplink raises it once, and clears it when an uplink no longer has it.
 *
 * @param time   the meter's time for meter alarms, the gateway's for gateway-raised ones
 * @param detail short machine-oriented text (command id, error); never customer data
 */
public record AlarmEvent(String meterId, AlarmKind kind, boolean raised, Instant time, String detail) {
    public AlarmEvent {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
        detail = detail == null ? "" : detail;
    }
}
