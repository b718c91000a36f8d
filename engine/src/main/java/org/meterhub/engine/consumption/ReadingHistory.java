package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.Optional;
import org.meterhub.engine.reading.Reading;

/**
 * The meter readings already accepted, as far as a late reading needs them: its neighbours in
 * time. Only consulted for late readings, so the streaming state stays one register per meter.
 * Estimated readings are not part of the history (they never make consumption).
 */
public interface ReadingHistory {

    /** The latest measured reading of the meter strictly before {@code time}. */
    Optional<Reading> latestBefore(String meterId, Instant time);

    /** The earliest measured reading of the meter strictly after {@code time}. */
    Optional<Reading> earliestAfter(String meterId, Instant time);

    /** Whether a measured reading of the meter at exactly {@code time} was accepted before. */
    boolean contains(String meterId, Instant time);

    /** No history: late readings are kept as readings but not placed into intervals. */
    static ReadingHistory none() {
        return new ReadingHistory() {
            @Override
            public Optional<Reading> latestBefore(String meterId, Instant time) {
                return Optional.empty();
            }

            @Override
            public Optional<Reading> earliestAfter(String meterId, Instant time) {
                return Optional.empty();
            }

            @Override
            public boolean contains(String meterId, Instant time) {
                return false;
            }
        };
    }
}
