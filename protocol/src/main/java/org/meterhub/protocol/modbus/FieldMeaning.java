package org.meterhub.protocol.modbus;

import java.util.Locale;

/**
 * What the gateway does with a register. A profile has exactly one {@link #VOLUME}: the cumulative
 * register billed and stored as the reading; everything else is reported alongside or ignored.
 */
public enum FieldMeaning {
    /**
     * The cumulative register the reading carries, exact in litres: an integer type, or a float32/float64 with a
     * declared resolution (flagged when beyond the float's exact range).
     */
    VOLUME,
    /** A second cumulative register (e.g. an EVC's unconverted volume Vm); exact, not billed. */
    UNCONVERTED_VOLUME,
    FLOW,
    /** Absolute line pressure (kPa, Pa, MPa, bar or mbar); with {@link #TEMPERATURE} and {@link #UNCONVERTED_VOLUME} the converter check's input. */
    PRESSURE,
    /** Line gas temperature (°C or K). */
    TEMPERATURE,
    /** Status bits; the profile names each bit. */
    STATUS,
    /** The device clock as Unix seconds (UTC). */
    METER_TIME,
    /** Shown by the decoder, not used by the gateway. */
    OTHER;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static FieldMeaning parse(String text) {
        for (FieldMeaning m : values()) {
            if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) return m;
        }
        throw new IllegalArgumentException("expected a meaning volume, unconverted-volume, flow, pressure, temperature, "
                + "status, meter-time or other, got \"" + text + "\"");
    }
}
