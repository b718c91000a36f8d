package org.meterhub.protocol.modbus;

import java.util.Locale;

/** How many 16-bit registers a value spans and how its bits are read. */
public enum RegisterType {
    UINT16(1), INT16(1), UINT32(2), INT32(2), FLOAT32(2);

    private final int words;

    RegisterType(int words) {
        this.words = words;
    }

    public int words() {
        return words;
    }

    /** Integer types give exact values; float32 is a measurement and never feeds a volume. */
    public boolean isInteger() {
        return this != FLOAT32;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RegisterType parse(String text) {
        for (RegisterType t : values()) {
            if (t.label().equals(text.trim().toLowerCase(Locale.ROOT))) return t;
        }
        throw new IllegalArgumentException("expected one of uint16, int16, uint32, int32, float32, got \"" + text + "\"");
    }
}
