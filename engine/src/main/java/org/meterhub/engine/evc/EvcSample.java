package org.meterhub.engine.evc;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;

/**
 * One poll of an electronic volume converter as the check sees it: both volume registers and the line
 * conditions at the reading's time. Kept next to the reading (which holds Vb as its register) so every
 * check can be recomputed from stored data.
 *
 * @param baseL        Vb register, litres (the reading's register)
 * @param unconvertedL Vm register, litres
 * @param pressureKpa  absolute line pressure, kPa
 * @param temperatureC line gas temperature, °C
 */
public record EvcSample(String meterId, Instant time, long baseL, long unconvertedL, BigDecimal pressureKpa,
                        BigDecimal temperatureC) {
    public EvcSample {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(pressureKpa, "pressureKpa");
        Objects.requireNonNull(temperatureC, "temperatureC");
    }

    /** The sample a converter reading carries; the reading must have {@link Reading#converter()}. */
    public static EvcSample of(Reading r) {
        ConverterValues c = Objects.requireNonNull(r.converter(), "reading has no converter values");
        return new EvcSample(r.meterId(), r.time(), r.volumeL(), c.unconvertedL(), c.pressureKpa(), c.temperatureC());
    }
}
