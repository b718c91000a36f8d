package org.meterhub.engine.reading;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What an electronic volume converter reports next to its base-volume register (which is the
 * reading's {@code volumeL}): the unconverted volume at line conditions, and the line pressure and
 * temperature it converts with. Carried with the reading from the gateway to the engine so the
 * conversion can be checked ({@code engine.evc}); never billed.
 *
 * @param unconvertedL Vm, the cumulative line-volume register in litres (exact)
 * @param pressureKpa  absolute line pressure in kPa, as the converter reports it
 * @param temperatureC line gas temperature in °C, as the converter reports it
 */
public record ConverterValues(long unconvertedL, BigDecimal pressureKpa, BigDecimal temperatureC) {
    public ConverterValues {
        Objects.requireNonNull(pressureKpa, "pressureKpa");
        Objects.requireNonNull(temperatureC, "temperatureC");
        if (unconvertedL < 0) throw new IllegalArgumentException("negative unconverted register: " + unconvertedL);
    }
}
