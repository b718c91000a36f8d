package org.meterhub.engine.security;

import java.util.Locale;

/**
 * What a user may do. Every role reads consumption (and every read is audited); the others add
 * one kind of action each, and admin all of them.
 */
public enum Role {
    /** Reads consumption, readings, alarms and reports. */
    VIEWER,
    /** And works alarms and work items: acknowledge, resolve. */
    OPERATOR,
    /** And runs bills. */
    BILLING,
    /** And manages users and settings, and sends valve and credit commands. */
    ADMIN;

    /** What an action needs. */
    public enum Permission {
        READ, ALARM_STEP, BILL_RUN, ADMIN
    }

    public boolean permits(Permission p) {
        return switch (p) {
            case READ -> true;
            case ALARM_STEP -> this == OPERATOR || this == ADMIN;
            case BILL_RUN -> this == BILLING || this == ADMIN;
            case ADMIN -> this == ADMIN;
        };
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the choices */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.wire().equals(text)) return r;
        }
        throw new IllegalArgumentException("role: expected viewer, operator, billing or admin, got \"" + text + "\"");
    }
}
