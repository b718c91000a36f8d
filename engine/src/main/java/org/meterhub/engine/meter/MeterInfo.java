package org.meterhub.engine.meter;

import java.time.Instant;
import java.util.Objects;

/**
 * The master record of a meter as the utility knows it. No customer data lives here.
 *
 * @param baseReadingL register value recorded when the meter was commissioned (litres);
 *                     consumption before the first remote reading is counted from it
 * @param baseTime when that base reading was taken
 * @param registerCapacityL the register wraps to zero at this value (e.g. 999999.99 m³ = 999_999_990 L + 10)
 */
public record MeterInfo(String meterId, Medium medium, long baseReadingL, Instant baseTime,
                        long registerCapacityL) {
    public MeterInfo {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(baseTime, "baseTime");
        if (baseReadingL < 0) throw new IllegalArgumentException("negative base reading");
        if (registerCapacityL <= 0) throw new IllegalArgumentException("register capacity must be positive");
    }

    /** 8-digit register with two decimals in m³ (CJ/T 188 household meters): 999999.99 m³ → 0. */
    public static final long CJT188_CAPACITY_L = 1_000_000_000L;
}
