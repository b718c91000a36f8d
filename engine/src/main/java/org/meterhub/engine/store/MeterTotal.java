package org.meterhub.engine.store;

import java.util.Objects;
import java.util.Set;
import org.meterhub.engine.consumption.IntervalFlag;

/**
 * A meter's consumption over a range.
 *
 * @param intervals number of consumption intervals summed (0: nothing recorded)
 * @param flags     union of their flags; {@link IntervalFlag#ESTIMATED} marks an estimated part
 */
public record MeterTotal(String meterId, long volumeL, long intervals, Set<IntervalFlag> flags) {
    public MeterTotal {
        Objects.requireNonNull(meterId, "meterId");
        flags = Set.copyOf(flags);
    }
}
