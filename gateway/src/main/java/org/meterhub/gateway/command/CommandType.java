package org.meterhub.gateway.command;

import java.util.Optional;

/** The commands an IC-card meter takes on {@code meters/{meter}/down}. */
public enum CommandType {
    VALVE_CLOSE("valve_close"),
    VALVE_OPEN("valve_open"),
    /** Adds credit; carries {@code amount_m3} (volume meters) or {@code amount_cny} (money meters). */
    CREDIT("credit");

    private final String wire;

    CommandType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<CommandType> fromWire(String s) {
        for (CommandType t : values()) if (t.wire.equals(s)) return Optional.of(t);
        return Optional.empty();
    }
}
