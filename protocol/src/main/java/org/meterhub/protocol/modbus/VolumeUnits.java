package org.meterhub.protocol.modbus;

import java.math.BigDecimal;

/** Volume units a profile may give a cumulative register, and their exact conversion to litres. */
public final class VolumeUnits {
    private static final BigDecimal LITRES_PER_M3 = BigDecimal.valueOf(1000);

    private VolumeUnits() {
    }

    static boolean isVolume(String unit) {
        return unit.equals("m3") || unit.equals("m³") || unit.equals("L");
    }

    /**
     * Litres in {@code value} of {@code unit}, exactly.
     *
     * @throws ArithmeticException when the value is not a whole number of litres
     */
    public static long toLitres(BigDecimal value, String unit) {
        BigDecimal litres = unit.equals("L") ? value : value.multiply(LITRES_PER_M3);
        if (!isVolume(unit)) throw new IllegalArgumentException("not a volume unit: " + unit);
        return litres.stripTrailingZeros().longValueExact();
    }
}
