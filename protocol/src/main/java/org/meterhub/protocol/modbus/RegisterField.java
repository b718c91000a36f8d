package org.meterhub.protocol.modbus;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * One value in a device's register map.
 *
 * @param address  first register, 0-based as on the wire (vendor manuals that count from 40001
 *                 must be converted when the profile is written)
 * @param function 3 (holding registers) or 4 (input registers)
 * @param scale    the value is raw × scale, in {@code unit}; exact decimal
 * @param statusBits for {@link FieldMeaning#STATUS}: bit number to a name such as {@code low-battery}
 */
public record RegisterField(String name, int address, int function, RegisterType type, WordOrder order,
                            BigDecimal scale, String unit, FieldMeaning meaning, Map<Integer, String> statusBits) {
    public RegisterField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(order, "order");
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(meaning, "meaning");
        statusBits = Map.copyOf(statusBits);
        if (address < 0 || address + type.words() - 1 > 0xFFFF) {
            throw new IllegalArgumentException("register address must be 0..65535, got " + address);
        }
        if (function != 3 && function != 4) {
            throw new IllegalArgumentException("function must be 3 (holding) or 4 (input), got " + function);
        }
        if (scale.signum() <= 0) throw new IllegalArgumentException("scale must be positive, got " + scale);
    }

    /** Last register this value occupies. */
    public int lastAddress() {
        return address + type.words() - 1;
    }
}
