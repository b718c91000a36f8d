package org.meterhub.protocol.modbus;

import java.math.BigDecimal;

/**
 * Units a profile may give line pressure and temperature, and their exact conversion to what the
 * volume-conversion check works in: absolute kPa and °C.
 */
public final class LineUnits {
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final BigDecimal KELVIN = new BigDecimal("273.15");

    private LineUnits() {
    }

    static final String PRESSURE_UNITS = "kPa, Pa, MPa, bar or mbar";
    static final String TEMPERATURE_UNITS = "°C, degC or K";

    static boolean isPressure(String unit) {
        return switch (unit) {
            case "kPa", "Pa", "MPa", "bar", "mbar" -> true;
            default -> false;
        };
    }

    static boolean isTemperature(String unit) {
        return switch (unit) {
            case "°C", "degC", "K" -> true;
            default -> false;
        };
    }

    /** {@code value} of pressure {@code unit} in kPa, exactly. */
    public static BigDecimal toKpa(BigDecimal value, String unit) {
        return switch (unit) {
            case "kPa" -> value;
            case "Pa" -> value.divide(THOUSAND);
            case "MPa" -> value.multiply(THOUSAND);
            case "bar" -> value.multiply(HUNDRED);
            case "mbar" -> value.divide(BigDecimal.TEN);
            default -> throw new IllegalArgumentException("not a pressure unit: " + unit + " (expected " + PRESSURE_UNITS + ")");
        };
    }

    /** {@code value} of temperature {@code unit} in °C, exactly. */
    public static BigDecimal toCelsius(BigDecimal value, String unit) {
        return switch (unit) {
            case "°C", "degC" -> value;
            case "K" -> value.subtract(KELVIN);
            default -> throw new IllegalArgumentException("not a temperature unit: " + unit + " (expected " + TEMPERATURE_UNITS + ")");
        };
    }
}
