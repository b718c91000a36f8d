package org.meterhub.protocol.cjt188;

import java.util.Optional;

/**
 * The T byte. Frames keep the raw int because 0x40–0x49 (custom/electricity) and vendor codes occur in
 * the field and must survive a decode/encode round trip; this enum names the codes the standard defines.
 */
public enum MeterType {
    COLD_WATER(0x10, "cold water"),
    HOT_WATER(0x11, "domestic hot water"),
    DRINKING_WATER(0x12, "drinking water"),
    RECLAIMED_WATER(0x13, "reclaimed water"),
    HEAT(0x20, "heat (heating)"),
    COOLING(0x21, "heat (cooling)"),
    HEAT_AND_COOLING(0x22, "heat and cooling"),
    GAS(0x30, "gas"),
    /** Only in requests: "whatever type the addressed meter is". */
    ANY(0xAA, "any type");

    private final int code;
    private final String description;

    MeterType(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** Empty for codes the standard leaves to vendors (0x40–0x49) and for unknown codes. */
    public static Optional<MeterType> of(int code) {
        for (MeterType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public boolean isWater() {
        return this == COLD_WATER || this == HOT_WATER || this == DRINKING_WATER || this == RECLAIMED_WATER;
    }

    public boolean isHeat() {
        return this == HEAT || this == COOLING || this == HEAT_AND_COOLING;
    }

    /** For the explainer: a name for any code, including the unnamed ones. */
    static String describe(int code) {
        Optional<MeterType> type = of(code);
        if (type.isPresent()) {
            return type.get().description;
        }
        if (code >= 0x40 && code <= 0x49) {
            return "custom/electricity";
        }
        return "unknown meter type";
    }
}
