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
 * @param resolution for a float32/float64 volume only (required there): the register's step in {@code unit}, a
 *                 whole number of litres (0.001 m3 = 1 L); the float's exact value × scale is rounded to it.
 *                 Null for every other field
 */
public record RegisterField(String name, int address, int function, RegisterType type, WordOrder order,
                            BigDecimal scale, String unit, FieldMeaning meaning, Map<Integer, String> statusBits,
                            BigDecimal resolution) {
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
        checkResolution(name, type, unit, meaning, resolution);
    }

    /** Any field but a float volume: no resolution. */
    public RegisterField(String name, int address, int function, RegisterType type, WordOrder order,
                         BigDecimal scale, String unit, FieldMeaning meaning, Map<Integer, String> statusBits) {
        this(name, address, function, type, order, scale, unit, meaning, statusBits, null);
    }

    /** Last register this value occupies. */
    public int lastAddress() {
        return address + type.words() - 1;
    }

    /** A cumulative register: the billed volume or a converter's unconverted volume. */
    public boolean isVolume() {
        return meaning == FieldMeaning.VOLUME || meaning == FieldMeaning.UNCONVERTED_VOLUME;
    }

    /**
     * A float volume is exact only at a declared resolution, which must be whole litres (the store keeps
     * litres); any other field takes none. Messages start with the column they are about.
     */
    private static void checkResolution(String name, RegisterType type, String unit, FieldMeaning meaning,
                                        BigDecimal resolution) {
        boolean volume = meaning == FieldMeaning.VOLUME || meaning == FieldMeaning.UNCONVERTED_VOLUME;
        if (resolution == null) {
            if (volume && type.isFloat()) {
                throw new IllegalArgumentException("resolution: a " + type.label() + " volume needs a resolution, the"
                        + " register's step in " + (unit.isEmpty() ? "its unit" : unit) + " (e.g. 0.001 for 1 L in m3)");
            }
            return;
        }
        if (!volume || !type.isFloat()) {
            throw new IllegalArgumentException("resolution: applies to float32/float64 volumes only, not to a "
                    + type.label() + " " + meaning.label() + " field");
        }
        if (resolution.signum() <= 0) throw new IllegalArgumentException("resolution: must be positive, got " + resolution);
        if (!VolumeUnits.isVolume(unit)) return; // the profile names the unit problem
        try {
            VolumeUnits.toLitres(resolution, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("resolution: " + resolution.toPlainString() + " " + unit
                    + " is not a whole number of litres (readings are kept in litres)");
        }
    }
}
