package org.meterhub.gateway.mqtt;

import java.util.Optional;

/**
 * What an alarm is about. The first six arrive from meters in the {@code alarms} array of an
 * uplink (protocols.md section 3); the others are raised by the gateway itself.
 */
public enum AlarmKind {
    LEAK("leak"),
    TAMPER("tamper"),
    LOW_BATTERY("low_battery"),
    VALVE_FAULT("valve_fault"),
    LOW_BALANCE("low_balance"),
    OVERDRAFT("overdraft"),
    /** A command was not acknowledged before its deadline. */
    COMMAND_EXPIRED(null),
    /** A meter answered a command with {@code "ok":false}. */
    COMMAND_REJECTED(null);

    private final String wireName;

    AlarmKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the uplink's {@code alarms} array, empty for gateway-raised kinds. */
    public Optional<String> wireName() {
        return Optional.ofNullable(wireName);
    }

    public static Optional<AlarmKind> fromWire(String name) {
        for (AlarmKind k : values()) {
            if (name.equals(k.wireName)) return Optional.of(k);
        }
        return Optional.empty();
    }
}
