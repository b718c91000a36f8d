package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A new, attributed record that supersedes a meter's consumption intervals in [from, to).
 *
 * <p>Intervals are keyed (meter, start) and never updated in place. When a late reading lands
 * between two readings that already made intervals, the intervals of that span are replaced by
 * this record's {@code replacement} (which covers the same span, split at the late reading).
 * The effective series is: base intervals, with each correction, in {@code sequence} order,
 * replacing everything that starts in its span. Spans of one meter are always nested or
 * disjoint (each lies between two neighbouring readings at the time it is made), so "latest
 * correction covering a start wins" is well defined. See {@link IntervalLedger}.
 *
 * @param sequence    order of corrections; a later one wins where spans overlap
 * @param cause       what triggered it, e.g. "late reading 2026-11-24T10:35:00Z (CJT188)"
 */
public record IntervalCorrection(long sequence, String meterId, Instant from, Instant to,
                                 List<ConsumptionInterval> replacement, String cause, Instant createdAt) {
    public IntervalCorrection {
        Objects.requireNonNull(meterId, "meterId");
        if (!to.isAfter(from)) throw new IllegalArgumentException("empty correction span");
        replacement = List.copyOf(replacement);
        for (ConsumptionInterval i : replacement) {
            if (!i.meterId().equals(meterId) || i.start().isBefore(from) || i.end().isAfter(to)) {
                throw new IllegalArgumentException("replacement interval outside the span: " + i);
            }
        }
    }

    public long totalL() {
        return replacement.stream().mapToLong(ConsumptionInterval::volumeL).sum();
    }
}
