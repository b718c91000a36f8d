package org.meterhub.gateway.modbus;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.modbus.FieldMeaning;
import org.meterhub.protocol.modbus.FieldValue;
import org.meterhub.protocol.modbus.LineUnits;
import org.meterhub.protocol.modbus.RegisterProfile;

/**
 * Decoded register values to a {@link Reading}. The volume comes only from the profile's {@code volume}
 * register, exactly in litres: an integer, or a float at its declared resolution, flagged
 * {@link ReadingFlag#PRECISION_LOSS} when the float cannot hold that resolution at its value (the volume or
 * a converter's unconverted volume); float measurements never touch it. A meter-time
 * register (Unix seconds, UTC) is trusted for the reading time when it is non-zero and within the
 * allowed skew, as for CJ/T 188 meter clocks.
 *
 * <p>A profile with an unconverted volume, a pressure and a temperature describes an electronic volume
 * converter: those three go with the reading as {@link ConverterValues} (pressure in kPa, temperature in
 * °C), for the engine's conversion check. When one of them has no value (a float32 NaN) the reading
 * carries none, and the check of that converter starts a new window.
 */
public final class ModbusReadingMapper {
    private final Clock clock;
    private final Duration maxSkew;

    public ModbusReadingMapper(Clock clock, Duration maxSkew) {
        this.clock = clock;
        this.maxSkew = maxSkew;
    }

    public Reading toReading(String meterId, RegisterProfile profile, Map<String, FieldValue> values) {
        Instant received = clock.instant();
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        Instant time = received;
        Instant meterClock = null;
        FieldValue clockValue = profile.first(FieldMeaning.METER_TIME).map(f -> values.get(f.name())).orElse(null);
        if (clockValue != null) {
            if (clockValue.raw() == 0) {
                flags.add(ReadingFlag.CLOCK_INVALID);
            } else {
                Instant meterTime = Instant.ofEpochSecond(clockValue.raw());
                meterClock = meterTime;
                if (Duration.between(meterTime, received).abs().compareTo(maxSkew) > 0) {
                    flags.add(ReadingFlag.CLOCK_SKEW);
                } else {
                    time = meterTime;
                }
            }
        }
        int statusBits = 0;
        FieldValue status = profile.first(FieldMeaning.STATUS).map(f -> values.get(f.name())).orElse(null);
        if (status != null) {
            statusBits = (int) status.raw();
            for (String bit : status.setBits()) {
                switch (bit) {
                    case "low-battery" -> flags.add(ReadingFlag.LOW_BATTERY);
                    case "valve-closed" -> flags.add(ReadingFlag.VALVE_CLOSED);
                    case "valve-fault" -> flags.add(ReadingFlag.VALVE_FAULT);
                    default -> { } // kept in statusBits for traceability
                }
            }
        }
        FieldValue volume = values.get(profile.volume().name());
        if (volume == null) throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "volume register was not read");
        if (!volume.hasValue()) throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "volume register holds no number: " + volume.text());
        long litres;
        try {
            litres = volume.litres();
        } catch (ArithmeticException e) {
            throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "volume register is not whole litres: " + volume.text());
        }
        if (litres < 0) throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "negative volume register: " + volume.text());
        FieldValue vm = value(profile, FieldMeaning.UNCONVERTED_VOLUME, values);
        if (volume.precisionLoss() || vm != null && vm.precisionLoss()) flags.add(ReadingFlag.PRECISION_LOSS);
        return new Reading(meterId, time, received, litres, ReadingSource.MODBUS, flags, statusBits, meterClock,
                converterValues(profile, values));
    }

    /** Vm, p and T of a volume converter's profile, or null when the profile has not all three or one has no value. */
    static ConverterValues converterValues(RegisterProfile profile, Map<String, FieldValue> values) {
        FieldValue vm = value(profile, FieldMeaning.UNCONVERTED_VOLUME, values);
        FieldValue p = value(profile, FieldMeaning.PRESSURE, values);
        FieldValue t = value(profile, FieldMeaning.TEMPERATURE, values);
        if (vm == null || p == null || t == null || !vm.hasValue() || !p.hasValue() || !t.hasValue()) return null;
        long vmL;
        try {
            vmL = vm.litres();
        } catch (ArithmeticException e) {
            throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "unconverted volume register is not whole litres: " + vm.text());
        }
        if (vmL < 0) throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "negative unconverted volume register: " + vm.text());
        BigDecimal kpa = LineUnits.toKpa(p.value(), p.field().unit());
        BigDecimal celsius = LineUnits.toCelsius(t.value(), t.field().unit());
        return new ConverterValues(vmL, kpa, celsius);
    }

    private static FieldValue value(RegisterProfile profile, FieldMeaning meaning, Map<String, FieldValue> values) {
        return profile.first(meaning).map(f -> values.get(f.name())).orElse(null);
    }
}
