package org.meterhub.engine.billing;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A volume to be priced, before tiers: the bill calculator walks these in day order through the
 * tiers. Signed: a true-up or a correction may take volume back.
 *
 * @param source where the volume came from (readings, estimate, correction), for the explanation
 */
public record VolumeItem(LineKind kind, String meterId, LocalDate firstDay, LocalDate lastDay, long volumeL, String source) {
    public VolumeItem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(firstDay, "firstDay");
        Objects.requireNonNull(lastDay, "lastDay");
        Objects.requireNonNull(source, "source");
        if (kind == LineKind.FIXED) throw new IllegalArgumentException("fixed charges carry no volume");
        if (lastDay.isBefore(firstDay)) throw new IllegalArgumentException("lastDay before firstDay");
    }

    public static VolumeItem day(LineKind kind, String meterId, LocalDate day, long volumeL, String source) {
        return new VolumeItem(kind, meterId, day, day, volumeL, source);
    }
}
