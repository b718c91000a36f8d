package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.Objects;

/**
 * A meter replaced on site: the old meter's final register and the new meter's first register,
 * read by the fitter at the exchange. The old meter's consumption up to its final reading is
 * counted; the new meter counts from its first reading.
 *
 * @param recordedBy who recorded the exchange (staff or work-order id), for attribution
 */
public record MeterExchange(String oldMeterId, long oldFinalL, String newMeterId, long newFirstL,
                            long newCapacityL, Instant time, String recordedBy) {
    public MeterExchange {
        Objects.requireNonNull(oldMeterId, "oldMeterId");
        Objects.requireNonNull(newMeterId, "newMeterId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(recordedBy, "recordedBy");
        if (oldMeterId.equals(newMeterId)) throw new IllegalArgumentException("exchange needs two meters");
        if (oldFinalL < 0 || newFirstL < 0) throw new IllegalArgumentException("negative register");
        if (newCapacityL <= 0) throw new IllegalArgumentException("register capacity must be positive");
    }
}
