package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * A value with the unit the meter sent. Exact (BigDecimal), because registers are billed: 1234.56 m³
 * must stay 1234.56 m³, which a double cannot promise.
 *
 * <p>Equality is numeric ({@code 12.3} equals {@code 12.30}): the wire fixes the number of decimals
 * per field, so a value built by hand and the same value decoded from the wire must compare equal.
 */
public record Quantity(BigDecimal value, Unit unit) {

    private static final BigDecimal LITRES_PER_M3 = BigDecimal.valueOf(1000);

    public Quantity {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(unit, "unit");
    }

    public static Quantity of(String value, Unit unit) {
        return new Quantity(new BigDecimal(value), unit);
    }

    /**
     * The volume in whole litres.
     *
     * @throws ArithmeticException if the unit is not a volume, or the value is not a whole number of litres
     */
    public long toLitres() {
        BigDecimal litres = switch (unit) {
            case L -> value;
            case M3 -> value.multiply(LITRES_PER_M3);
            default -> throw new ArithmeticException(unit.symbol() + " is not a volume unit");
        };
        try {
            return litres.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new ArithmeticException(value.toPlainString() + " " + unit.symbol() + " is not a whole number of litres");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && unit == q.unit && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * value.stripTrailingZeros().hashCode() + unit.hashCode();
    }

    @Override
    public String toString() {
        return value.toPlainString() + " " + unit.symbol();
    }
}
