package org.meterhub.engine.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.MeterInfo;
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

    /** Writes readings and the intervals derived from them in one transaction. */
    void append(List<Reading> readings, List<ConsumptionInterval> intervals);

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
