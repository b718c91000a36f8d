package org.meterhub.engine.query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;

/**
 * When every meter was last heard from, in one statement for the whole fleet (the console's Fleet
 * page; any report that counts meters online or stale): the same answer as
 * {@link org.meterhub.engine.store.MeterStore#lastReading} per meter, without a round trip per meter.
 *
 * <p>The statement is one correlated {@code max(time)} per row of {@code meters}, which both stores
 * answer from an index: SQLite's min/max optimisation on the readings key (meter_id, time, source),
 * PostgreSQL's rewrite of {@code max} into a backward index scan with {@code limit 1} that stops in
 * the newest partition (or chunk) holding the meter. So it costs about one index probe per meter,
 * never a scan of the readings; a {@code group by meter_id} over the readings would read all of them
 * (100 M rows at a head-end) to answer a page.
 */
public final class LastReadings {
    private final SqlDatabase db;

    /** One meter: what it measures and the time of its last reading, if it has any. */
    public record MeterLastReading(String meterId, Medium medium, Optional<Instant> lastReading) {
        public MeterLastReading {
            Objects.requireNonNull(meterId, "meterId");
            Objects.requireNonNull(medium, "medium");
            Objects.requireNonNull(lastReading, "lastReading");
        }
    }

    /** How many meters are online, stale and never read at one instant. */
    public record Freshness(int meters, int online, int stale, int neverRead) {
    }

    public LastReadings(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Every registered meter by id, with the time of its last reading (by reading time, as {@code lastReading}). */
    public List<MeterLastReading> all() {
        return db.tx("last reading of every meter", c -> SqlDatabase.query(c, "select m.meter_id, m.medium,"
                + " (select max(r.time) from readings r where r.meter_id = m.meter_id) from meters m order by m.meter_id",
                ps -> { }, rs -> new MeterLastReading(rs.getString(1), Medium.valueOf(rs.getString(2)),
                        db.readOptionalTime(rs, 3))));
    }

    /**
     * The newest reading time of any registered meter, in one statement: the same correlated {@code max(time)} per
     * meter as {@link #all()} (one index probe each), folded by the database into one row instead of one row per
     * meter. Empty when no meter has a reading. (A plain {@code max(time)} over the readings has no index to use on
     * SQLite's (meter_id, time, source) key and would scan them all.)
     */
    public Optional<Instant> latest() {
        return db.tx("newest reading of any meter", c -> SqlDatabase.query(c, "select max(t) from (select (select"
                + " max(r.time) from readings r where r.meter_id = m.meter_id) as t from meters m) last_times",
                ps -> { }, rs -> db.readOptionalTime(rs, 1))).get(0);
    }

    /**
     * Counts the meters at {@code now}: online when the last reading is no older than its medium's
     * {@code staleAfter}, stale when it is older, never read when there is none.
     */
    public static Freshness freshness(List<MeterLastReading> meters, Instant now, Function<Medium, Duration> staleAfter) {
        int online = 0;
        int stale = 0;
        int never = 0;
        for (MeterLastReading m : meters) {
            if (m.lastReading().isEmpty()) never++;
            else if (m.lastReading().get().isBefore(now.minus(staleAfter.apply(m.medium())))) stale++;
            else online++;
        }
        return new Freshness(meters.size(), online, stale, never);
    }
}
