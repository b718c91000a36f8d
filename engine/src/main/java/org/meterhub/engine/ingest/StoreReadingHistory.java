package org.meterhub.engine.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.meterhub.engine.consumption.InMemoryReadingHistory;
import org.meterhub.engine.consumption.ReadingHistory;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;

/**
 * A late reading's neighbours, from the store's committed readings plus the batch the writer has
 * not committed yet. Only late readings ask, so the store is queried rarely: first within
 * {@link #WINDOW} of the reading, then (for a meter silent that long) over the whole range.
 */
final class StoreReadingHistory implements ReadingHistory {
    static final Duration WINDOW = Duration.ofDays(31);
    private static final Instant FAR_PAST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant FAR_FUTURE = Instant.parse("9999-12-30T00:00:00Z");
    private static final Comparator<Reading> BY_TIME = Comparator.comparing(Reading::time);

    private final MeterStore store;
    private InMemoryReadingHistory pending = new InMemoryReadingHistory();

    StoreReadingHistory(MeterStore store) {
        this.store = store;
    }

    /** A reading of the batch in progress. */
    void pending(Reading r) {
        pending.add(r);
    }

    /** The batch is in the store (or was dropped): forget it here. */
    void committed() {
        pending = new InMemoryReadingHistory();
    }

    @Override
    public Optional<Reading> latestBefore(String meterId, Instant time) {
        Optional<Reading> stored = measured(store.readings(meterId, time.minus(WINDOW), time)).max(BY_TIME);
        if (stored.isEmpty()) stored = measured(store.readings(meterId, FAR_PAST, time.minus(WINDOW))).max(BY_TIME);
        return later(stored, pending.latestBefore(meterId, time));
    }

    @Override
    public Optional<Reading> earliestAfter(String meterId, Instant time) {
        Instant after = time.plusMillis(1);
        Optional<Reading> stored = measured(store.readings(meterId, after, time.plus(WINDOW))).min(BY_TIME);
        if (stored.isEmpty()) stored = measured(store.readings(meterId, time.plus(WINDOW), FAR_FUTURE)).min(BY_TIME);
        Optional<Reading> p = pending.earliestAfter(meterId, time);
        if (stored.isEmpty()) return p;
        if (p.isEmpty()) return stored;
        return p.get().time().isBefore(stored.get().time()) ? p : stored;
    }

    @Override
    public boolean contains(String meterId, Instant time) {
        return pending.contains(meterId, time)
                || measured(store.readings(meterId, time, time.plusMillis(1))).findAny().isPresent();
    }

    private static java.util.stream.Stream<Reading> measured(List<Reading> readings) {
        return readings.stream().filter(r -> r.source() != ReadingSource.ESTIMATED);
    }

    private static Optional<Reading> later(Optional<Reading> a, Optional<Reading> b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return b.get().time().isAfter(a.get().time()) ? b : a;
    }
}
