package org.meterhub.protocol.cjt188;

import java.util.Optional;

/** The unit byte that follows each 4-byte quantity. */
public enum Unit {
    WH(0x02, "Wh"),
    KWH(0x05, "kWh"),
    MWH(0x08, "MWh"),
    /** The value counts hundreds of MWh. */
    MWH_X100(0x0A, "MWh×100"),
    J(0x01, "J"),
    KJ(0x0B, "kJ"),
    MJ(0x0E, "MJ"),
    GJ(0x11, "GJ"),
    /** The value counts hundreds of GJ. */
    GJ_X100(0x13, "GJ×100"),
    W(0x14, "W"),
    KW(0x17, "kW"),
    MW(0x1A, "MW"),
    L(0x29, "L"),
    M3(0x2C, "m³"),
    L_PER_H(0x32, "L/h"),
    M3_PER_H(0x35, "m³/h");

    private final int code;
    private final String symbol;

    Unit(int code, String symbol) {
        this.code = code;
        this.symbol = symbol;
    }

    public int code() {
        return code;
    }

    public String symbol() {
        return symbol;
    }

    public static Optional<Unit> of(int code) {
        for (Unit u : values()) {
            if (u.code == code) {
                return Optional.of(u);
            }
        }
        return Optional.empty();
    }

    public boolean isVolume() {
        return this == L || this == M3;
    }
}
