package org.meterhub.engine.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How readings and consumption are laid out in time on PostgreSQL.
 *
 * <ul>
 * <li>With TimescaleDB: hypertables (readings in daily chunks, consumption monthly), a compression policy (segment by meter)
 *     and continuous aggregates in place of the three rollup tables. Readings have a (meter_id, time) index on every
 *     chunk ({@link #READINGS_METER_INDEX}, V19) for the uncompressed last 30 days.</li>
 * <li>Without it: both tables become {@code PARTITION BY RANGE} on their time column, readings
 *     with one partition per UTC day ({@code readings_p20240131}), consumption with one per UTC
 *     month ({@code consumption_p202401}), created on demand before the rows that need them (and
 *     one period ahead), and a {@code time_bucket} SQL function compatible with TimescaleDB's, so
 *     the same SQL runs on both. Readings are cut by day because their key leads with time (V6)
 *     and a day that has passed gets its per-meter index ({@link #indexClosedPartitions}): a
 *     per-meter lookup scans at most the open days by time. Monthly readings partitions of a
 *     store made before that stay and are used for their months. The daily rollups
 *     ({@code consumption_daily}) are cut by month too, but at local midnight of the 1st in the store's
 *     rollup zone ({@code consumption_daily_p202611}), so that a month of billing days is one partition:
 *     a bill run reads each meter's days of its period through a month's key (1/12 of a year's,
 *     each leaf page full of the period's rows) instead of the whole year's, whose leaf pages hold one
 *     meter's period beside its other eleven months (issue 14). They are created with the consumption
 *     partitions they are summed from.</li>
 * </ul>
 * Every step is idempotent and runs under an advisory lock, so concurrent openers agree.
 */
final class PgTimeLayout {

    private static final Logger log = LoggerFactory.getLogger(PgTimeLayout.class);
    private static final String LOCK = "select pg_advisory_xact_lock(63837483)";
    /** Partitioned table → its time column. */
    static final String[][] TABLES = {{"readings", "time"}, {"consumption", "start_time"}, {"consumption_daily", "bucket"}};
    /** The daily rollups, partitioned by month in the rollup zone. */
    static final String DAILY = "consumption_daily";
    /**
     * The hypertable's per-meter readings index (V19), on every chunk: the uncompressed ones (the last
     * 30 days of a live store) are otherwise read by their time-leading key, every meter's rows of a day.
     */
    static final String READINGS_METER_INDEX = "readings_meter_time";

    /** Partitions known to exist (this store's view; reloaded after a failure). */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** The zone whose months cut the daily rollups (store_settings.rollup_zone, fixed when the store was made). */
    private volatile ZoneId rollupZone = ZoneOffset.UTC;

    /** Prepares plain PostgreSQL: partitions, time_bucket; returns false if a table was a hypertable. */
    void preparePlain(Connection c, ZoneId rollupZone) throws SQLException {
        this.rollupZone = rollupZone;
        try (Statement st = c.createStatement()) {
            st.execute(LOCK);
            for (String[] t : TABLES) {
                String kind = relkind(c, t[0]);
                if ("r".equals(kind)) {
                    partition(c, t[0], t[1], rollupZone);
                }
            }
            if (!extensionInstalled(c)) {
                createTimeBucket(st);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
        reloadKnown(c);
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        Set<YearMonth> months = new HashSet<>(Set.of(now, now.plusMonths(1)));
        // every month with consumption gets its rollup partitions (a store partitioned before they were cut by month)
        for (String name : known) {
            if (name.matches("consumption_p[0-9]{6}")) {
                months.add(YearMonth.of(Integer.parseInt(name.substring(13, 17)), Integer.parseInt(name.substring(17))));
            }
        }
        ensure(c, Set.of(LocalDate.now(ZoneOffset.UTC)), months);
    }

    /** Whether readings is a partitioned table (relkind p). */
    static boolean partitioned(Connection c) throws SQLException {
        return "p".equals(relkind(c, "readings"));
    }

    /**
     * Creates the missing partitions (readings: each day plus the one after it; consumption: each
     * month plus the one after it) and commits. A no-op, without a round trip, when all exist.
     */
    void ensure(Connection c, Collection<LocalDate> readingDays, Collection<YearMonth> intervalMonths)
            throws SQLException {
        boolean missing = false;
        for (LocalDate d : readingDays) {
            missing |= !covered(d) || !covered(d.plusDays(1));
        }
        for (YearMonth m : intervalMonths) {
            missing |= !known.contains(name("consumption", m))
                    || !known.contains(name("consumption", m.plusMonths(1)));
            for (YearMonth r : rollupMonths(m)) {
                missing |= !known.contains(name(DAILY, r));
            }
        }
        if (!missing) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute(LOCK);
            for (LocalDate d : readingDays) {
                createDay(st, d);
                createDay(st, d.plusDays(1)); // ahead of the data
            }
            for (YearMonth m : intervalMonths) {
                create(st, "consumption", m);
                create(st, "consumption", m.plusMonths(1));
                for (YearMonth r : rollupMonths(m)) {
                    create(st, DAILY, r);
                }
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            known.clear();
            throw e;
        }
    }

    /**
     * The rollup-zone months whose daily partitions the intervals of UTC month {@code m} and of the month after
     * it (the consumption partitions {@link #ensure} makes) put days in: a day's bucket is the local midnight
     * before the interval's start, up to 14 hours from UTC either way.
     */
    private static List<YearMonth> rollupMonths(YearMonth m) {
        return List.of(m.minusMonths(1), m, m.plusMonths(1), m.plusMonths(2));
    }

    /** Whether a readings partition holds the day: its own, or the month's from before daily partitions. */
    private boolean covered(LocalDate d) {
        return known.contains(dayName(d)) || known.contains(name("readings", YearMonth.from(d)));
    }

    private void createDay(Statement st, LocalDate d) throws SQLException {
        if (d.getYear() > 9999 || covered(d)) {
            return;
        }
        st.execute(createDaySql(d));
        known.add(dayName(d));
    }

    /** Forgets what is known, e.g. after an insert found no partition. */
    void forget() {
        known.clear();
    }

    /** A month's partition of {@code table}: a UTC month, or for the daily rollups a month in the rollup zone. */
    private void create(Statement st, String table, YearMonth m) throws SQLException {
        String name = name(table, m);
        if (m.getYear() > 9999 || m.getYear() < 1 || known.contains(name)) {
            return;
        }
        st.execute(DAILY.equals(table) ? createZoneMonthSql(table, m, rollupZone) : createMonthSql(table, m));
        known.add(name);
    }

    private void reloadKnown(Connection c) throws SQLException {
        known.clear();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select child.relname from pg_inherits i join pg_class parent on parent.oid = i.inhparent"
                        + " join pg_class child on child.oid = i.inhrelid"
                        + " where parent.relname in ('readings', 'consumption', '" + DAILY + "')")) {
            while (rs.next()) {
                known.add(rs.getString(1));
            }
        }
        c.commit();
    }

    /**
     * Builds the (meter_id, time) index of every readings partition (a day, or a month from before
     * daily partitions) that ended at least {@code grace} before {@code now} and lacks it, one
     * {@code CREATE INDEX CONCURRENTLY} each, so ingest of late readings never waits for it. Open
     * partitions have only the time-leading key: indexing them by meter would put every new row
     * on a random leaf (V6). A build that failed leaves an invalid index; it is dropped and built
     * again. Needs an autocommit connection.
     *
     * @return the indexes built by this call
     */
    static List<String> indexClosedPartitions(Connection c, Instant now, Duration grace) throws SQLException {
        List<String> built = new ArrayList<>();
        Instant closedBefore = now.minus(grace);
        for (Map.Entry<String, Boolean> partition : readingPartitions(c).entrySet()) {
            String name = partition.getKey();
            String digits = name.substring("readings_p".length());
            LocalDate first = LocalDate.of(Integer.parseInt(digits.substring(0, 4)),
                    Integer.parseInt(digits.substring(4, 6)), digits.length() == 8 ? Integer.parseInt(digits.substring(6)) : 1);
            LocalDate next = digits.length() == 8 ? first.plusDays(1) : first.plusMonths(1);
            if (next.atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(closedBefore)
                    || Boolean.TRUE.equals(partition.getValue())) {
                continue;
            }
            try (Statement st = c.createStatement()) {
                if (partition.getValue() != null) {
                    st.execute("drop index concurrently if exists " + name + "_meter");
                }
                st.execute("create index concurrently if not exists " + name + "_meter on " + name
                        + " (meter_id, time)");
            }
            built.add(name + "_meter");
            log.info("readings partition {} has passed: built its (meter_id, time) index", name);
        }
        return built;
    }

    /** Readings partitions → their meter index: valid (true), invalid (false), none (null). */
    private static Map<String, Boolean> readingPartitions(Connection c) throws SQLException {
        Map<String, Boolean> partitions = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select child.relname, ix.indisvalid from pg_inherits i"
                        + " join pg_class parent on parent.oid = i.inhparent"
                        + " join pg_class child on child.oid = i.inhrelid"
                        + " left join pg_class ixc on ixc.relname = child.relname || '_meter'"
                        + " left join pg_index ix on ix.indexrelid = ixc.oid"
                        + " where parent.relname = 'readings' and child.relname ~ '^readings_p([0-9]{6}|[0-9]{8})$'")) {
            while (rs.next()) {
                boolean valid = rs.getBoolean(2);
                partitions.put(rs.getString(1), rs.wasNull() ? null : valid);
            }
        }
        return partitions;
    }

    static String dayName(LocalDate d) {
        return String.format("readings_p%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    static String name(String table, YearMonth m) {
        return String.format("%s_p%04d%02d", table, m.getYear(), m.getMonthValue());
    }

    /** Midnight UTC of the day as PostgreSQL reads it (LocalDate.toString writes year 10000 as +10000). */
    private static String start(LocalDate d) {
        return String.format("%04d-%02d-%02d 00:00:00+00", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    private static String createDaySql(LocalDate d) {
        return "create table if not exists " + dayName(d) + " partition of readings for values from ('" + start(d)
                + "') to ('" + start(d.plusDays(1)) + "')";
    }

    private static String createMonthSql(String table, YearMonth m) {
        return "create table if not exists " + name(table, m) + " partition of " + table + " for values from ('"
                + start(m.atDay(1)) + "') to ('" + start(m.plusMonths(1).atDay(1)) + "')";
    }

    /** A month's partition from local midnight of its 1st in {@code zone} to the next month's. */
    private static String createZoneMonthSql(String table, YearMonth m, ZoneId zone) {
        return "create table if not exists " + name(table, m) + " partition of " + table + " for values from ('"
                + utc(m.atDay(1).atStartOfDay(zone).toInstant()) + "') to ('"
                + utc(m.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant()) + "')";
    }

    /** An instant as PostgreSQL reads a timestamptz in UTC. */
    private static String utc(Instant t) {
        java.time.LocalDateTime d = java.time.LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        return String.format("%04d-%02d-%02d %02d:%02d:%02d+00", d.getYear(), d.getMonthValue(), d.getDayOfMonth(),
                d.getHour(), d.getMinute(), d.getSecond());
    }

    /**
     * Turns a plain table into a partitioned one with the same columns, keys, comments and rows: readings by
     * UTC day, consumption by UTC month, the daily rollups by month in {@code rollupZone}.
     */
    private static void partition(Connection c, String table, String timeColumn, ZoneId rollupZone) throws SQLException {
        String old = table + "_unpartitioned";
        try (Statement st = c.createStatement()) {
            String comment = null;
            try (ResultSet rs = st.executeQuery("select obj_description('" + table + "'::regclass, 'pg_class')")) {
                if (rs.next()) {
                    comment = rs.getString(1);
                }
            }
            st.execute("alter table " + table + " rename to " + old);
            st.execute("alter index if exists " + table + "_pkey rename to " + old + "_pkey");
            st.execute("create table " + table + " (like " + old + " including all) partition by range ("
                    + timeColumn + ")");
            if (comment != null) {
                st.execute("comment on table " + table + " is '" + comment.replace("'", "''") + "'");
            }
            boolean daily = "readings".equals(table);
            boolean zoned = DAILY.equals(table);
            String cutZone = zoned ? rollupZone.getId().replace("'", "''") : "UTC";
            int partitions = 0;
            try (Statement periods = c.createStatement(); ResultSet rs = periods.executeQuery(
                    "select distinct (" + timeColumn + " at time zone '" + cutZone + "')::date from " + old)) {
                Set<YearMonth> months = new HashSet<>();
                while (rs.next()) {
                    LocalDate d = rs.getObject(1, LocalDate.class);
                    YearMonth m = YearMonth.from(d);
                    if (daily) {
                        st.execute(createDaySql(d));
                        partitions++;
                    } else if (months.add(m)) {
                        st.execute(zoned ? createZoneMonthSql(table, m, rollupZone) : createMonthSql(table, m));
                        partitions++;
                    }
                }
            }
            st.execute("insert into " + table + " select * from " + old);
            st.execute("drop table " + old);
            log.info("{} is now partitioned by {} on {} ({} partitions with rows)", table, daily ? "day"
                    : zoned ? "month in " + rollupZone : "month", timeColumn, partitions);
        }
    }

    private static String relkind(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " where c.relname = '" + table + "' and n.nspname = current_schema()")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static boolean extensionInstalled(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select 1 from pg_extension where extname = 'timescaledb'")) {
            return rs.next();
        }
    }

    /**
     * {@code time_bucket(interval, timestamp[tz] [, timezone])} with TimescaleDB's semantics: widths
     * without months are aligned to 2000-01-03 00:00 (date_bin), widths in whole months to
     * 2000-01-01; the timezone form buckets local time in that zone.
     */
    private static void createTimeBucket(Statement st) throws SQLException {
        st.execute("""
                create or replace function time_bucket(bucket_width interval, ts timestamp) returns timestamp
                language sql immutable strict parallel safe as $$
                  select case
                    when extract(year from bucket_width) = 0 and extract(month from bucket_width) = 0
                      then date_bin(bucket_width, ts, timestamp '2000-01-03 00:00:00')
                    else timestamp '2000-01-01 00:00:00' + make_interval(months => (
                      floor(((extract(year from ts)::int - 2000) * 12 + extract(month from ts)::int - 1)::numeric
                            / (extract(year from bucket_width)::int * 12 + extract(month from bucket_width)::int))
                      * (extract(year from bucket_width)::int * 12 + extract(month from bucket_width)::int))::int)
                  end
                $$""");
        st.execute("""
                create or replace function time_bucket(bucket_width interval, ts timestamptz) returns timestamptz
                language sql immutable strict parallel safe as $$
                  select time_bucket(bucket_width, ts at time zone 'UTC') at time zone 'UTC'
                $$""");
        st.execute("""
                create or replace function time_bucket(bucket_width interval, ts timestamptz, timezone text)
                returns timestamptz language sql immutable strict parallel safe as $$
                  select time_bucket(bucket_width, ts at time zone timezone) at time zone timezone
                $$""");
        st.execute("comment on function time_bucket(interval, timestamptz, text) is 'meterhub stand-in for"
                + " TimescaleDB time_bucket (the extension is not installed): bucket start of ts in the zone'");
    }

    // ---- TimescaleDB ----

    /**
     * Hypertables (readings in daily chunks, consumption monthly), compression of chunks older than
     * 30 days, and continuous aggregates named like the rollup tables they replace (real-time:
     * materialized_only = false), refreshed over all time every 30 minutes.
     */
    static void prepareTimescale(Connection c, String rollupZone) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(LOCK);
            st.execute("select create_hypertable('readings', 'time', chunk_time_interval => interval '1 day',"
                    + " if_not_exists => true, migrate_data => true)");
            st.execute("select create_hypertable('consumption', 'start_time', chunk_time_interval => interval"
                    + " '1 month', if_not_exists => true, migrate_data => true)");
            // every chunk by meter (V19): the last 30 days stay uncompressed, and their key leads with time
            st.execute("create index if not exists " + READINGS_METER_INDEX + " on readings (meter_id, time)");
            st.execute("alter table readings set (timescaledb.compress, timescaledb.compress_segmentby = 'meter_id',"
                    + " timescaledb.compress_orderby = 'time, source')");
            st.execute("alter table consumption set (timescaledb.compress,"
                    + " timescaledb.compress_segmentby = 'meter_id', timescaledb.compress_orderby = 'start_time')");
            st.execute("select add_compression_policy('readings', interval '30 days', if_not_exists => true)");
            st.execute("select add_compression_policy('consumption', interval '30 days', if_not_exists => true)");
            String zone = "'" + rollupZone.replace("'", "''") + "'";
            aggregate(c, st, "consumption_hourly", "time_bucket('1 hour', start_time)");
            aggregate(c, st, "consumption_daily", "time_bucket('1 day', start_time, " + zone + ")");
            aggregate(c, st, "consumption_monthly", "time_bucket('1 month', start_time, " + zone + ")");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    private static void aggregate(Connection c, Statement st, String name, String bucket) throws SQLException {
        if ("r".equals(relkind(c, name))) {
            st.execute("drop table " + name); // the engine-maintained table; the aggregate recomputes it all
            st.execute("create materialized view " + name + " with (timescaledb.continuous,"
                    + " timescaledb.materialized_only = false) as select meter_id, " + bucket + " as bucket,"
                    + " sum(volume_l)::bigint as volume_l, count(*)::integer as intervals, "
                    + Rollups.flagBitsOfConsumption("consumption") + " as flag_bits"
                    + " from consumption group by meter_id, " + bucket + " with no data");
        }
        refreshPolicy(c, st, name);
    }

    /**
     * Refreshes the aggregate every 30 minutes up to an hour ago, over all time (start_offset
     * NULL): a refresh recomputes only the buckets whose rows changed, and a window bounded in the
     * past (this layout's first policy, 3 months) never materializes history loaded or corrected
     * further back, which then vanishes from the aggregate once the watermark passes it. A store
     * with the bounded policy gets the unbounded one.
     */
    private static void refreshPolicy(Connection c, Statement st, String name) throws SQLException {
        try (Statement q = c.createStatement(); ResultSet rs = q.executeQuery("select j.config->>'start_offset'"
                + " from timescaledb_information.jobs j join timescaledb_information.continuous_aggregates a"
                // the view's name in the jobs view (2.x), its materialized hypertable's in older releases
                + " on j.hypertable_name in (a.view_name, a.materialization_hypertable_name)"
                + " where j.proc_name = 'policy_refresh_continuous_aggregate' and a.view_name = '" + name + "'")) {
            if (rs.next()) {
                if (rs.getString(1) == null) {
                    return;
                }
                st.execute("select remove_continuous_aggregate_policy('" + name + "')");
                log.info("{}: refresh policy over all time instead of the last {}", name, rs.getString(1));
            }
        }
        st.execute("select add_continuous_aggregate_policy('" + name + "', start_offset => null,"
                + " end_offset => interval '1 hour', schedule_interval => interval '30 minutes')");
    }
}
