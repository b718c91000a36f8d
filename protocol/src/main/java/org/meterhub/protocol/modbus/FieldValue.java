package org.meterhub.protocol.modbus;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One decoded register value.
 *
 * @param raw   the registers' bits as an unsigned or signed integer ({@code Float.floatToRawIntBits} for float32)
 * @param value raw × scale in the field's unit, exact for integer types; empty when float32 is NaN or infinite
 * @param setBits for a status field, the names of the bits that are set
 */
public record FieldValue(RegisterField field, long raw, BigDecimal value, List<String> setBits) {
    public FieldValue {
        Objects.requireNonNull(field, "field");
        setBits = List.copyOf(setBits);
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
            return Float.toString(Float.intBitsToFloat((int) raw));
        }
        String v = value.stripTrailingZeros().toPlainString();
        return field.unit().isEmpty() ? v : v + " " + field.unit();
    }
}
