package org.meterhub.engine.vee;

import java.math.BigDecimal;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;

/**
 * What validation and leak detection need to know about a kind of meter. Settings, not
 * constants: a utility names its classes (e.g. "G2.5 household gas", "DN15 water").
 *
 * @param qmaxLph         maximum flow, litres per hour (G2.5: 4 m³/h = 4000)
 * @param q3Lph           permanent flow, litres per hour (water meters; 0 when not applicable)
 * @param accuracyPercent maximum permissible error in the upper flow zone (class 1.5: 1.5)
 * @param bidirectional   true when the register may legitimately run backwards
 * @param valveEquipped   true when the meter has a remotely closable valve
 */
public record MeterClass(String name, Medium medium, long qmaxLph, long q3Lph, BigDecimal accuracyPercent,
                         boolean bidirectional, boolean valveEquipped) {
    public MeterClass {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(accuracyPercent, "accuracyPercent");
        if (qmaxLph <= 0) throw new IllegalArgumentException("qmax must be positive");
        if (q3Lph < 0) throw new IllegalArgumentException("q3 must not be negative");
        if (accuracyPercent.signum() <= 0) throw new IllegalArgumentException("accuracy must be positive");
    }

    /** G2.5 household gas meter, class 1.5, Qmax 4 m³/h, with a valve (IC-card / NB-IoT meters). */
    public static MeterClass householdGas() {
        return new MeterClass("G2.5", Medium.GAS, 4_000, 0, new BigDecimal("1.5"), false, true);
    }

    /** DN15 household water meter: Q3 2.5 m³/h, Q4 (max) 3.125 m³/h, upper-zone MPE 2 %. */
    public static MeterClass householdWater() {
        return new MeterClass("DN15", Medium.WATER, 3_125, 2_500, new BigDecimal("2"), false, false);
    }
}
