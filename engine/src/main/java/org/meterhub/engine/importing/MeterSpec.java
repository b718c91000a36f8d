package org.meterhub.engine.importing;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;

/**
 * A meter's medium and class as the import registers it: {@code qmaxLph} null means the medium's
 * household default (water DN15, gas G1.6, heat Qmax 2.5 m³/h), whose class name the leak settings use.
 */
public record MeterSpec(Medium medium, String className, Long qmaxLph) {
    public MeterSpec {
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(className, "className");
    }

    /** Classes known by name: water DN (ISO 4064 Q4 = 1.25 × Q3), gas G (EN 1359 Qmax), heat qp. */
    private static final Map<String, MeterSpec> KNOWN = Map.ofEntries(
            Map.entry("DN15", new MeterSpec(Medium.WATER, "DN15", null)),
            Map.entry("DN20", new MeterSpec(Medium.WATER, "DN20", 5_000L)),
            Map.entry("DN25", new MeterSpec(Medium.WATER, "DN25", 7_875L)),
            Map.entry("DN32", new MeterSpec(Medium.WATER, "DN32", 12_500L)),
            Map.entry("DN40", new MeterSpec(Medium.WATER, "DN40", 20_000L)),
            Map.entry("G1.6", new MeterSpec(Medium.GAS, "G1.6", null)),
            Map.entry("G2.5", new MeterSpec(Medium.GAS, "G2.5", 4_000L)),
            Map.entry("G4", new MeterSpec(Medium.GAS, "G4", 6_000L)),
            Map.entry("G6", new MeterSpec(Medium.GAS, "G6", 10_000L)),
            Map.entry("G10", new MeterSpec(Medium.GAS, "G10", 16_000L)),
            Map.entry("QP0.6", new MeterSpec(Medium.HEAT, "qp0.6", 1_200L)),
            Map.entry("QP1.5", new MeterSpec(Medium.HEAT, "qp1.5", 3_000L)),
            Map.entry("QP2.5", new MeterSpec(Medium.HEAT, "qp2.5", 5_000L)));

    public static String knownNames() {
        return "DN15, DN20, DN25, DN32, DN40 (water), G1.6, G2.5, G4, G6, G10 (gas), qp0.6, qp1.5, qp2.5 (heat)";
    }

    /** The medium's household default class. */
    public static MeterSpec defaultOf(Medium medium) {
        return switch (medium) {
            case WATER -> KNOWN.get("DN15");
            case GAS -> KNOWN.get("G1.6");
            case HEAT -> new MeterSpec(Medium.HEAT, "heat", null);
        };
    }

    /**
     * From a medium and/or a class name, either may be null (not both).
     *
     * @throws IllegalArgumentException naming what is wrong (unknown class, class of another medium, neither given)
     */
    public static MeterSpec of(String medium, String className) {
        Medium m = medium == null || medium.isBlank() ? null : medium(medium);
        if (className == null || className.isBlank()) {
            if (m == null) throw new IllegalArgumentException("neither a medium nor a meter class is given");
            return defaultOf(m);
        }
        MeterSpec c = KNOWN.get(className.strip().toUpperCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown meter class \"" + className + "\"; known: " + knownNames());
        }
        if (m != null && m != c.medium()) {
            throw new IllegalArgumentException("meter class " + c.className() + " is a " + c.medium().name().toLowerCase(Locale.ROOT)
                    + " meter, not " + m.name().toLowerCase(Locale.ROOT));
        }
        return c;
    }

    public static Medium medium(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "water" -> Medium.WATER;
            case "gas" -> Medium.GAS;
            case "heat" -> Medium.HEAT;
            default -> throw new IllegalArgumentException("expected a medium water, gas or heat, got \"" + text + "\"");
        };
    }
}
