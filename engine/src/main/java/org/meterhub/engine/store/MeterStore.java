package org.meterhub.engine.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.reading.Reading;

/**
 * The engine's time-series store. Implementations: SQLite (single box) and PostgreSQL /
 * TimescaleDB (head-end). Both hold the same logical schema and answer the same queries.
 *
 * <p>Writes are idempotent: a reading is keyed by (meter, time, source) and an interval by
 * (meter, start); writing the same one again changes nothing. Nothing is updated in place.
 */
public interface MeterStore extends AutoCloseable {

    /** Inserts the meter, or leaves an existing record with the same id as it is. */
    void registerMeter(MeterInfo meter);

    Optional<MeterInfo> meter(String meterId);

    List<MeterInfo> meters();

    /**
     * The meter's record with its type, class, accuracy and Qmax where the store keeps them (the rules' leak
     * detectors choose the meter's class settings by them); here only the base record. A store that wraps another
     * (the intake's fenced store) answers as the one it wraps.
     */
    default Optional<MeterProfile> profile(String meterId) {
        return meter(meterId).map(MeterProfile::of);
    }

    /**
     * Meters whose account is not supplied (vacant, suspended, sealed, ...): the rules raise no stuck-register flag on
     * them. A store that keeps no accounts knows none; a store that wraps another answers as the one it wraps.
     */
    default java.util.Set<String> meterIdsNotSupplied() {
        return java.util.Set.of();
    }

    /** Writes readings and the intervals derived from them in one transaction. */
    void append(List<Reading> readings, List<ConsumptionInterval> intervals);

    /**
     * Like {@link #append(List, List)}, committed only if every fence is current: inside the same
     * transaction, each lease's epoch is read (PostgreSQL: {@code FOR SHARE}, which waits for a
     * concurrent {@link #takeFence} and keeps one from committing before this append does) and
     * compared with the token.
     *
     * @throws FencedOutException when a fence is stale; nothing was written
     */
    void append(List<Reading> readings, List<ConsumptionInterval> intervals, Collection<Fence> fences);

    /**
     * Takes a lease's fencing token: increments its epoch (the first take gives 1), commits, and
     * returns the new epoch. Every append fenced with an older epoch is refused from then on.
     * Call it only while holding the lease (e.g. its advisory lock), before reading any state.
     *
     * @param holder who takes it (kept for people; the epoch decides)
     */
    Fence takeFence(String lease, String holder);

    /** Readings with time in [from, to), oldest first. */
    List<Reading> readings(String meterId, Instant from, Instant to);

    /** Intervals with start in [from, to), oldest first. */
    List<ConsumptionInterval> intervals(String meterId, Instant from, Instant to);

    /** The latest reading of the meter by meter time, if any. */
    Optional<Reading> lastReading(String meterId);

    long readingCount();

    /** A short description for logs and status lines, without credentials. */
    String describe();

    @Override
    void close();
}
