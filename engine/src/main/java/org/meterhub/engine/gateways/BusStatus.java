package org.meterhub.engine.gateways;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One bus of a gateway as the gateway last reported it: a DTU dial-in connection ({@code dtu-cjt188},
 * {@code dtu-modbus}), a local RS-485 line ({@code serial-cjt188}, {@code serial-modbus}), a Modbus TCP peer
 * ({@code modbus-tcp}, {@code modbus-rtu-over-tcp}) or the MQTT uplink ({@code mqtt-uplink}). Buses are the
 * utility's infrastructure and named by it (DTU id, serial port, host:port); no meter id is in here: the last
 * error is the failure's kind ({@code timeout}, {@code bad_reply}, ...), not its message.
 *
 * @param pollsOk     polls that produced a reading in the last {@code window} (for the MQTT uplink: batches acknowledged)
 * @param pollsFailed polls that failed after their retries in the last {@code window}
 * @param lastOk      the last poll that produced a reading, null for none since the gateway started
 * @param lastErrorAt the last failed poll, null for none since the gateway started
 * @param lastError   its reason, null when there was none
 */
public record BusStatus(String kind, String name, boolean connected, long pollsOk, long pollsFailed, Duration window,
                        Instant lastOk, Instant lastErrorAt, String lastError) {
    public BusStatus {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        if (!kind.matches("[a-z0-9-]{1,32}")) throw new IllegalArgumentException("bus kind: " + kind);
        if (name.isEmpty() || name.length() > 200) throw new IllegalArgumentException("bus name: 1 to 200 characters");
        if (pollsOk < 0 || pollsFailed < 0) throw new IllegalArgumentException("bus " + name + ": counts cannot be negative");
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("bus " + name + ": window must be positive");
        if (lastError != null && lastError.length() > 200) lastError = lastError.substring(0, 200);
    }
}
