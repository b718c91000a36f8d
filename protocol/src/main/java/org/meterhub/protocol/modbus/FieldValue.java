package org.meterhub.protocol.modbus;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One decoded register value.
 *
 * @param raw   the registers' bits as an unsigned or signed integer ({@code Float.floatToRawIntBits} for float32,
 *              {@code Double.doubleToRawLongBits} for float64)
 * @param value raw × scale in the field's unit, exact for integer types; for a float volume the float's exact
 *              value × scale rounded to the field's resolution; empty when a float is NaN or infinite
 * @param setBits for a status field, the names of the bits that are set
 * @param precisionLoss a float volume beyond the range in which the float tells one resolution step from the
 *              next: the value is the nearest step, but neighbouring steps look the same
 */
public record FieldValue(RegisterField field, long raw, BigDecimal value, List<String> setBits, boolean precisionLoss) {
    public FieldValue {
        Objects.requireNonNull(field, "field");
        setBits = List.copyOf(setBits);
    }

    public FieldValue(RegisterField field, long raw, BigDecimal value, List<String> setBits) {
        this(field, raw, value, setBits, false);
    }

    public boolean hasValue() {
        return value != null;
    }

    /** Exact litres of a volume field; ArithmeticException if the register is not whole litres. */
    public long litres() {
        if (value == null) throw new ArithmeticException(field.name() + " has no value");
        return VolumeUnits.toLitres(value, field.unit());
    }

    /** e.g. {@code 1234.567 m3}, or {@code NaN} for a float that carries no number. */
    public String text() {
        if (value == null) {
            return field.type() == RegisterType.FLOAT64 ? Double.toString(Double.longBitsToDouble(raw))
                    : Float.toString(Float.intBitsToFloat((int) raw));
        }
        String v = value.stripTrailingZeros().toPlainString();
        return field.unit().isEmpty() ? v : v + " " + field.unit();
    }
}
