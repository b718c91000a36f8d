package org.meterhub.protocol.modbus;

import java.util.Locale;

/** How many 16-bit registers a value spans and how its bits are read. */
public enum RegisterType {
    UINT16(1), INT16(1), UINT32(2), INT32(2), FLOAT32(2), FLOAT64(4);

    private final int words;

    RegisterType(int words) {
        this.words = words;
    }

    public int words() {
        return words;
    }

    /** Integer types give exact values; a float is a measurement unless a volume declares its resolution. */
    public boolean isInteger() {
        return !isFloat();
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * Bits of the float's significand, the implicit one included: 24 for float32, 53 for float64. Integers up
     * to 2^bits are exact, so a volume of more resolution steps than that cannot be told from its neighbours.
     */
    public int significandBits() {
        return switch (this) {
            case FLOAT32 -> 24;
            case FLOAT64 -> 53;
            default -> throw new IllegalStateException(this + " is not a float");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RegisterType parse(String text) {
        for (RegisterType t : values()) {
            if (t.label().equals(text.trim().toLowerCase(Locale.ROOT))) return t;
        }
        throw new IllegalArgumentException("expected one of uint16, int16, uint32, int32, float32, float64, got \"" + text + "\"");
    }
}
