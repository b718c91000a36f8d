package org.meterhub.gateway.serial;

/** RS-485 character framing the gateway supports: 8 data bits, one stop bit, and this parity. */
public enum Parity {
    /** 8N1 */
    NONE('N'),
    /** 8E1, the Modbus RTU default */
    EVEN('E'),
    /** 8O1 */
    ODD('O');

    private final char letter;

    Parity(char letter) {
        this.letter = letter;
    }

    /** {@code 8N1}, {@code 8E1} or {@code 8O1}. */
    public String framing() {
        return "8" + letter + "1";
    }

    /** Parses {@code 8N1}, {@code 8E1}, {@code 8O1} (case-insensitive). */
    public static Parity ofFraming(String text) {
        for (Parity p : values()) {
            if (p.framing().equalsIgnoreCase(text.trim())) return p;
        }
        throw new IllegalArgumentException("expected framing 8N1, 8E1 or 8O1, got \"" + text + "\"");
    }
}
