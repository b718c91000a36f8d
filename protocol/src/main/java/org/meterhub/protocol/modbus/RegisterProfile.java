package org.meterhub.protocol.modbus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A device model's register map: what to read and what each value means. Profiles are data
 * (see {@link RegisterProfiles}); adding a meter model needs no code.
 */
public record RegisterProfile(String name, List<RegisterField> fields) {
    /** Modbus limit for one read of holding or input registers. */
    public static final int MAX_REGISTERS_PER_READ = 125;

    public RegisterProfile {
        Objects.requireNonNull(name, "name");
        fields = List.copyOf(fields);
        if (fields.isEmpty()) throw new IllegalArgumentException("profile " + name + " has no fields");
        long volumes = fields.stream().filter(f -> f.meaning() == FieldMeaning.VOLUME).count();
        if (volumes != 1) {
            throw new IllegalArgumentException("profile " + name + " needs exactly one field with meaning volume, has " + volumes);
        }
        for (RegisterField f : fields) {
            if (f.isVolume() && !VolumeUnits.isVolume(f.unit())) {
                throw new IllegalArgumentException("field " + f.name() + ": a volume needs unit m3 or L, got \"" + f.unit() + "\"");
            }
            if (f.meaning() == FieldMeaning.PRESSURE && !LineUnits.isPressure(f.unit())) {
                throw new IllegalArgumentException("field " + f.name() + ": a pressure needs unit " + LineUnits.PRESSURE_UNITS
                        + " (absolute), got \"" + f.unit() + "\"");
            }
            if (f.meaning() == FieldMeaning.TEMPERATURE && !LineUnits.isTemperature(f.unit())) {
                throw new IllegalArgumentException("field " + f.name() + ": a temperature needs unit "
                        + LineUnits.TEMPERATURE_UNITS + ", got \"" + f.unit() + "\"");
            }
            if (f.meaning() == FieldMeaning.METER_TIME && (f.type() != RegisterType.UINT32 || f.scale().compareTo(java.math.BigDecimal.ONE) != 0)) {
                throw new IllegalArgumentException("field " + f.name() + ": meter-time must be uint32 Unix seconds with scale 1");
            }
        }
        List<RegisterField> sorted = new ArrayList<>(fields);
        sorted.sort(Comparator.comparingInt(RegisterField::function).thenComparingInt(RegisterField::address));
        for (int i = 1; i < sorted.size(); i++) {
            RegisterField a = sorted.get(i - 1);
            RegisterField b = sorted.get(i);
            if (a.function() == b.function() && b.address() <= a.lastAddress()) {
                throw new IllegalArgumentException("fields " + a.name() + " and " + b.name() + " overlap at register " + b.address());
            }
        }
        for (int i = 0; i < fields.size(); i++) {
            for (int j = i + 1; j < fields.size(); j++) {
                if (fields.get(i).name().equals(fields.get(j).name())) {
                    throw new IllegalArgumentException("field name " + fields.get(i).name() + " appears twice");
                }
            }
        }
    }

    /** A run of registers read with one request. */
    public record Block(int function, int address, int count) {
        public boolean contains(RegisterField f) {
            return f.function() == function && f.address() >= address && f.lastAddress() < address + count;
        }
    }

    /**
     * The fewest reads that cover every field: contiguous fields of one function share a request
     * (gaps of a few registers are read through rather than costing another bus turnaround).
     */
    public List<Block> blocks() {
        List<RegisterField> sorted = new ArrayList<>(fields);
        sorted.sort(Comparator.comparingInt(RegisterField::function).thenComparingInt(RegisterField::address));
        List<Block> blocks = new ArrayList<>();
        int fn = -1;
        int start = 0;
        int end = 0;
        for (RegisterField f : sorted) {
            boolean extend = f.function() == fn && f.address() - end <= 8
                    && f.lastAddress() - start + 1 <= MAX_REGISTERS_PER_READ;
            if (extend) {
                end = Math.max(end, f.lastAddress() + 1);
            } else {
                if (fn >= 0) blocks.add(new Block(fn, start, end - start));
                fn = f.function();
                start = f.address();
                end = f.lastAddress() + 1;
            }
        }
        blocks.add(new Block(fn, start, end - start));
        return blocks;
    }

    public RegisterField volume() {
        return first(FieldMeaning.VOLUME).orElseThrow();
    }

    public Optional<RegisterField> first(FieldMeaning meaning) {
        return fields.stream().filter(f -> f.meaning() == meaning).findFirst();
    }

    public Optional<RegisterField> field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
    }
}
