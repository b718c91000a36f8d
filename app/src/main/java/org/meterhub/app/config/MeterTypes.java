package org.meterhub.app.config;

import java.util.Map;
import org.meterhub.engine.meter.Medium;
import org.meterhub.protocol.cjt188.MeterType;

/** Meter type names used in configuration, and what they mean on the wire and in the engine. */
public final class MeterTypes {
    private static final Map<String, MeterType> BY_NAME = Map.of(
            "gas", MeterType.GAS,
            "cold-water", MeterType.COLD_WATER,
            "hot-water", MeterType.HOT_WATER,
            "drinking-water", MeterType.DRINKING_WATER,
            "reclaimed-water", MeterType.RECLAIMED_WATER);

    private MeterTypes() {
    }

    public static int code(String name) {
        MeterType t = BY_NAME.get(name);
        if (t == null) {
            throw new IllegalArgumentException("expected a meter type (one of " + String.join(", ",
                    new java.util.TreeSet<>(BY_NAME.keySet())) + "), got \"" + name + "\"");
        }
        return t.code();
    }

    public static Medium medium(String name) {
        return name.equals("gas") ? Medium.GAS : Medium.WATER;
    }
}
