package org.meterhub.protocol.cjt188;

import java.util.Objects;

/** Argument checks shared by the records, so each constructor reads as a list of what it requires. */
final class Checks {

    private Checks() {
    }

    static int u8(int value, String name) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException(name + " must be one byte (0..255), got " + value);
        }
        return value;
    }

    static int u16(int value, String name) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + " must be two bytes (0..0xFFFF), got " + value);
        }
        return value;
    }

    static <T> T nonNull(T value, String name) {
        return Objects.requireNonNull(value, name);
    }

    /** The fields every message shares. */
    static void header(int meterTypeCode, MeterAddress address) {
        u8(meterTypeCode, "meterTypeCode");
        nonNull(address, "address");
    }

    static void typeIs(int meterTypeCode, boolean required, String what) {
        if (!required) {
            throw new IllegalArgumentException("meter type " + Hex.byteValue(meterTypeCode) + " cannot carry " + what);
        }
    }
}
