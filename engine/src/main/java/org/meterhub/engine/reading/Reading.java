package org.meterhub.engine.reading;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One register reading as a meter reported it. Immutable: a correction is a new record.
 *
 * <p>{@code time} is the meter's own clock when it is plausible, otherwise the gateway's
 * receive time (and {@link ReadingFlag#CLOCK_INVALID} or {@link ReadingFlag#CLOCK_SKEW} says so);
 * {@code receivedAt} is always the gateway clock. The idempotency key is (meter, time, source).
 *
 * @param volumeL cumulative register in litres (0.001 m³); fixed-point, never a double
 * @param statusBits the meter's raw status word, kept for traceability
 * @param meterTime  the meter's own clock as reported, kept even when it was not trusted for
 *                   {@code time} (e.g. {@link ReadingFlag#CLOCK_SKEW}); null when the meter sent none
 *                   or an invalid one (all zeros)
 * @param converter  for an electronic volume converter (whose {@code volumeL} is the base volume Vb): its
 *                   unconverted volume, pressure and temperature at the same instant; null for other meters
 */
public record Reading(String meterId, Instant time, Instant receivedAt, long volumeL,
                      ReadingSource source, Set<ReadingFlag> flags, int statusBits, Instant meterTime,
                      ConverterValues converter) {

    /** A reading without a separately kept meter clock. */
    public Reading(String meterId, Instant time, Instant receivedAt, long volumeL,
                   ReadingSource source, Set<ReadingFlag> flags, int statusBits) {
        this(meterId, time, receivedAt, volumeL, source, flags, statusBits, null);
    }

    /** A reading of a meter that is not a volume converter. */
    public Reading(String meterId, Instant time, Instant receivedAt, long volumeL,
                   ReadingSource source, Set<ReadingFlag> flags, int statusBits, Instant meterTime) {
        this(meterId, time, receivedAt, volumeL, source, flags, statusBits, meterTime, null);
    }

    public Reading {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(source, "source");
        flags = Set.copyOf(flags);
        if (volumeL < 0) throw new IllegalArgumentException("negative register: " + volumeL);
    }

    public boolean has(ReadingFlag flag) {
        return flags.contains(flag);
    }
}
