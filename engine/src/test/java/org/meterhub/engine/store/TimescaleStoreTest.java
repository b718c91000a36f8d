package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

/**
 * The store on a server with TimescaleDB preloaded (scripts/timescaledb.sh: 127.0.0.1:5433, or
 * {@value PgTestDatabase#TSDB_ENV}): the whole store contract on hypertables, and the TimescaleDB
 * layout itself against the plain layout (127.0.0.1:5432) on one data set. Fails, never skips,
 * when either server is missing.
 */
class TimescaleStoreTest extends MeterStoreContract {

    private static final ZoneId ZONE = ConsumptionQuery.DEFAULT_ZONE;
    private static final int METERS = 4;
    /** Days of hourly history, ending yesterday: older than the 30-day compression and the old 3-month refresh window. */
    private static final int DAYS = 130;

    private static PgTestDatabase tsdb;
    private static PgTestDatabase plain;

    @BeforeAll
    static void createDatabases() {
        tsdb = PgTestDatabase.createTimescale();
        plain = PgTestDatabase.create();
    }

    @AfterAll
    static void dropDatabases() {
        if (tsdb != null) {
            tsdb.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @BeforeEach
    void emptyDatabases() {
        tsdb.reset();
        plain.reset();
    }

    @Override
    MeterStore open() {
        return new PostgresStore(tsdb.url());
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    Connection rawConnection() throws SQLException {
        return tsdb.connect();
    }

    // ---- the data set ----

    /** Local midnight DAYS days before today: the first hour of the data set. */
    private static Instant first() {
        return LocalDate.now(ZONE).minusDays(DAYS).atStartOfDay(ZONE).toInstant();
    }

    /** Local midnight today: the end of the data set. */
    private static Instant end() {
        return LocalDate.now(ZONE).atStartOfDay(ZONE).toInstant();
    }

    private static String meter(int m) {
        return String.format("3%013d", m);
    }

    /** Hourly readings and the intervals between them, with flags, for every meter. */
    private static void load(PostgresStore store) {
        Instant first = first();
        int hours = (int) Duration.between(first, end()).toHours();
        for (int m = 0; m < METERS; m++) {
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            long register = 1_000_000L * (m + 1);
            for (int h = 0; h <= hours; h++) {
                Instant t = first.plus(Duration.ofHours(h));
                readings.add(new Reading(meter(m), t, t.plusSeconds(2), register, ReadingSource.CJT188,
                        h % 500 == 7 ? Set.of(ReadingFlag.LOW_BATTERY) : Set.of(), 0));
                if (h < hours) {
                    long volume = (m * 7L + h * 13L) % 90;
                    Set<IntervalFlag> flags = h % 50 == 3 ? EnumSet.of(IntervalFlag.ESTIMATED)
                            : h % 77 == 5 ? EnumSet.of(IntervalFlag.SPREAD, IntervalFlag.ESTIMATED) : Set.of();
                    intervals.add(new ConsumptionInterval(meter(m), t, t.plus(Duration.ofHours(1)), volume, flags));
                    register += volume;
                }
            }
            for (int i = 0; i < readings.size(); i += 1_000) {
                store.append(readings.subList(i, Math.min(readings.size(), i + 1_000)),
                        intervals.subList(Math.min(intervals.size(), i), Math.min(intervals.size(), i + 1_000)));
            }
        }
    }

    /** Everything the queries answer from the rollups and the raw tables, for comparing two stores. */
    private static List<Object> answers(PostgresStore store) {
        Instant first = first();
        Instant end = end();
        Instant firstMonth = Step.MONTH.next(Step.MONTH.floor(first, ZONE), ZONE);
        Instant lastMonth = Step.MONTH.floor(end, ZONE);
        List<Object> answers = new ArrayList<>();
        for (Step step : Step.values()) {
            answers.add(store.rollup(step, null, first.minus(Duration.ofDays(40)), end));
        }
        answers.add(store.totals(firstMonth, lastMonth, null, false, 100)); // months: consumption_monthly
        answers.add(store.totals(first.plus(Duration.ofDays(3)), first.plus(Duration.ofDays(10)), null, false, 100));
        answers.add(store.totals(first.plus(Duration.ofHours(5)), first.plus(Duration.ofHours(29)), null, false, 100));
        answers.add(store.totals(first.plus(Duration.ofMinutes(30)), end, null, false, 100)); // raw consumption
        for (int m = 0; m < METERS; m++) {
            for (Step step : Step.values()) {
                answers.add(ConsumptionQuery.series(store, meter(m), first.minus(Duration.ofDays(5)),
                        end.plus(Duration.ofDays(1)), step, ZONE));
            }
            answers.add(store.readings(meter(m), first, end.plus(Duration.ofHours(1))));
            answers.add(store.intervals(meter(m), first, end));
        }
        answers.add(store.readingCount());
        return answers;
    }

    // ---- TimescaleDB's jobs, run now instead of on their schedule ----

    private static void pauseJobs(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("select alter_job(job_id, scheduled => false) from timescaledb_information.jobs"
                    + " where proc_name in ('policy_refresh_continuous_aggregate', 'policy_compression')");
        }
    }

    /** Runs every job of the procedure (as the scheduler would); returns how many ran. */
    private static int runJobs(Connection c, String proc) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select job_id from timescaledb_information.jobs where proc_name = '" + proc + "' order by job_id")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        for (int id : ids) {
            try (Statement st = c.createStatement()) {
                st.execute("call run_job(" + id + ")");
            }
        }
        return ids.size();
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static String materialized(Connection c, String view) throws SQLException {
        return strings(c, "select format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)"
                + " from timescaledb_information.continuous_aggregates where view_name = '" + view + "'").get(0);
    }

    // ---- tests ----

    @Test
    void readingsAndConsumptionAreHypertablesWithChunksAndTheRollupsContinuousAggregates() throws SQLException {
        try (PostgresStore store = new PostgresStore(tsdb.url())) {
            assertThat(store.hypertables()).isTrue();
            assertThat(store.partitioned()).isFalse();
            assertThat(store.describe()).endsWith("(TimescaleDB hypertables)");
            load(store);
        }
        try (Connection c = tsdb.connect()) {
            assertThat(strings(c, "select hypertable_name from timescaledb_information.hypertables"
                    + " where hypertable_schema = 'public' order by 1")).containsExactly("consumption", "readings");
            assertThat(strings(c, "select view_name from timescaledb_information.continuous_aggregates order by 1"))
                    .containsExactly("consumption_daily", "consumption_hourly", "consumption_monthly");
            // One chunk per UTC day holding readings, each exactly a day long.
            Set<LocalDate> days = new HashSet<>();
            for (Instant t = first(); !t.isAfter(end()); t = t.plus(Duration.ofHours(1))) {
                days.add(LocalDate.ofInstant(t, ZoneOffset.UTC));
            }
            assertThat(count(c, "select count(*) from timescaledb_information.chunks where hypertable_name = 'readings'"))
                    .isEqualTo(days.size());
            assertThat(count(c, "select count(*) from timescaledb_information.chunks where hypertable_name = 'readings'"
                    + " and range_end - range_start <> interval '1 day'")).isZero();
            long consumptionChunks = count(c, "select count(*) from timescaledb_information.chunks"
                    + " where hypertable_name = 'consumption'");
            assertThat(consumptionChunks).isBetween(DAYS / 31L + 1, DAYS / 28L + 2);
            assertThat(count(c, "select count(*) from readings")).isEqualTo((long) METERS * (DAYS * 24 + 1));
            // the engine maintains no rollup tables: the names are the aggregates' views
            assertThat(strings(c, "select relkind::text from pg_class where relname in"
                    + " ('consumption_hourly', 'consumption_daily', 'consumption_monthly')")).containsOnly("v");
            // the policies the layout promises
            assertThat(strings(c, "select proc_name || ' ' || hypertable_name from timescaledb_information.jobs"
                    + " where proc_name = 'policy_compression' order by 1"))
                    .containsExactly("policy_compression consumption", "policy_compression readings");
            assertThat(count(c, "select count(*) from timescaledb_information.jobs"
                    + " where proc_name = 'policy_refresh_continuous_aggregate'")).isEqualTo(3);
        }
    }

    @Test
    void continuousAggregatesGiveExactlyThePlainLayoutsTotalsBeforeAndAfterRefreshAndLateDataAfterRefresh()
            throws SQLException {
        try (PostgresStore ts = new PostgresStore(tsdb.url()); PostgresStore pg = new PostgresStore(plain.url());
             Connection c = tsdb.connect()) {
            assertThat(ts.hypertables()).isTrue();
            assertThat(pg.partitioned()).isTrue();
            pauseJobs(c);
            load(ts);
            load(pg);
            List<Object> expected = answers(pg);
            assertThat(answers(ts)).as("real-time aggregates, nothing materialized").isEqualTo(expected);

            assertThat(runJobs(c, "policy_refresh_continuous_aggregate")).isEqualTo(3);
            for (String view : List.of("consumption_hourly", "consumption_daily", "consumption_monthly")) {
                // every bucket that has ended is materialized, the oldest ones too
                assertThat(count(c, "select count(*) from " + materialized(c, view) + " where bucket < '"
                        + first().plus(Duration.ofDays(1)) + "'")).as(view).isPositive();
            }
            assertThat(answers(ts)).as("materialized by the refresh policy").isEqualTo(expected);

            // Late data into materialized buckets: a reading and an interval of a meter not seen
            // before, 120 days back, and a correction interval of a known meter yesterday.
            Instant old = first().plus(Duration.ofDays(10)).plus(Duration.ofMinutes(20));
            Instant yesterday = end().minus(Duration.ofHours(20)).plus(Duration.ofMinutes(30));
            List<Reading> lateReadings = List.of(
                    new Reading("LATE-1", old, old.plusSeconds(1), 500, ReadingSource.MQTT, Set.of(), 0),
                    new Reading("LATE-1", old.plus(Duration.ofHours(1)), old.plusSeconds(3_601), 777,
                            ReadingSource.MQTT, Set.of(), 0));
            List<ConsumptionInterval> lateIntervals = List.of(
                    new ConsumptionInterval("LATE-1", old, old.plus(Duration.ofHours(1)), 277, Set.of()),
                    new ConsumptionInterval(meter(1), yesterday, yesterday.plus(Duration.ofMinutes(15)), 1_234,
                            EnumSet.of(IntervalFlag.ROLLOVER)));
            for (PostgresStore store : List.of(ts, pg)) {
                store.append(lateReadings, lateIntervals);
            }
            expected = answers(pg);
            assertThat(answers(ts)).as("materialized buckets wait for the refresh").isNotEqualTo(expected);
            runJobs(c, "policy_refresh_continuous_aggregate");
            assertThat(answers(ts)).as("late data after the refresh").isEqualTo(expected);
            assertThat(ts.rollup(Step.DAY, "LATE-1", first(), end())).singleElement()
                    .extracting(RollupRow::volumeL).isEqualTo(277L);

            // rebuildRollups refreshes at once, without waiting for the policy
            Instant older = first().plus(Duration.ofDays(1)).plus(Duration.ofMinutes(45));
            for (PostgresStore store : List.of(ts, pg)) {
                store.append(List.of(), List.of(new ConsumptionInterval("LATE-2", older, older.plus(Duration.ofMinutes(5)),
                        9, EnumSet.of(IntervalFlag.ESTIMATED))));
            }
            expected = answers(pg);
            assertThat(answers(ts)).isNotEqualTo(expected);
            ts.rebuildRollups();
            assertThat(answers(ts)).as("late data after rebuildRollups").isEqualTo(expected);
        }
    }

    @Test
    void theCompressionPolicyCompressesOldChunksAndEverythingReadsTheSame() throws SQLException {
        try (PostgresStore ts = new PostgresStore(tsdb.url()); PostgresStore pg = new PostgresStore(plain.url());
             Connection c = tsdb.connect()) {
            pauseJobs(c);
            load(ts);
            load(pg);
            runJobs(c, "policy_refresh_continuous_aggregate");
            List<Object> expected = answers(pg);
            assertThat(count(c, "select count(*) from timescaledb_information.chunks where is_compressed")).isZero();

            assertThat(runJobs(c, "policy_compression")).isEqualTo(2);
            Instant cutoff = Instant.now().minus(Duration.ofDays(30));
            for (String table : List.of("readings", "consumption")) {
                // every chunk that ended more than 30 days ago is compressed, none newer
                assertThat(count(c, "select count(*) from timescaledb_information.chunks where hypertable_name = '"
                        + table + "' and range_end < '" + cutoff + "' and not is_compressed")).as(table).isZero();
                assertThat(count(c, "select count(*) from timescaledb_information.chunks where hypertable_name = '"
                        + table + "' and is_compressed")).as(table).isPositive();
                assertThat(count(c, "select count(*) from timescaledb_information.chunks where hypertable_name = '"
                        + table + "' and range_start > '" + Instant.now().minus(Duration.ofDays(29))
                        + "' and is_compressed")).as(table).isZero();
            }
            assertThat(count(c, "select before_compression_total_bytes - after_compression_total_bytes"
                    + " from hypertable_compression_stats('readings')")).isPositive();
            assertThat(answers(ts)).as("read from compressed chunks").isEqualTo(expected);

            // A late reading and interval into compressed chunks, and a replay of compressed rows.
            Instant old = first().plus(Duration.ofDays(2)).plus(Duration.ofMinutes(30));
            List<Reading> late = List.of(new Reading(meter(0), old, old.plusSeconds(2), 1_000_001,
                    ReadingSource.MANUAL, Set.of(), 0));
            List<ConsumptionInterval> lateInterval = List.of(new ConsumptionInterval(meter(2), old,
                    old.plus(Duration.ofMinutes(10)), 42, Set.of()));
            List<Reading> replay = ts.readings(meter(3), first(), first().plus(Duration.ofDays(1)));
            List<ConsumptionInterval> replayIntervals = ts.intervals(meter(3), first(), first().plus(Duration.ofDays(1)));
            assertThat(replay).hasSize(24);
            for (PostgresStore store : List.of(ts, pg)) {
                store.append(late, lateInterval);
                store.append(replay, replayIntervals);
            }
            runJobs(c, "policy_refresh_continuous_aggregate");
            assertThat(answers(ts)).as("late rows into compressed chunks, replays ignored").isEqualTo(answers(pg));
            assertThat(ts.readingCount()).isEqualTo((long) METERS * (DAYS * 24 + 1) + 1);
        }
    }

    @Test
    void readingsHaveAPerMeterIndexOnEveryChunkThatUncompressedDaysUseAndCompressedDaysStillAnswer() throws SQLException {
        Instant yesterday = end().minus(Duration.ofDays(1));
        try (PostgresStore ts = new PostgresStore(tsdb.url()); Connection c = tsdb.connect()) {
            pauseJobs(c);
            load(ts);
            List<Reading> crowd = new ArrayList<>(); // 200 more meters on one day: a meter's day is a small part of it
            for (int m = 100; m < 300; m++) {
                for (int h = 0; h < 24; h++) {
                    Instant t = yesterday.plus(Duration.ofHours(h));
                    crowd.add(new Reading(meter(m), t, t.plusSeconds(1), h, ReadingSource.CJT188, Set.of(), 0));
                }
            }
            ts.append(crowd, List.of());
            assertThat(strings(c, "select indexdef from pg_indexes where tablename = 'readings'"
                    + " and indexname = '" + PgTimeLayout.READINGS_METER_INDEX + "'"))
                    .singleElement().asString().endsWith("USING btree (meter_id, \"time\")");
            assertThat(count(c, "select count(*) from timescaledb_information.chunks ch where hypertable_name = 'readings'"
                    + " and not exists (select 1 from pg_indexes i where i.schemaname = ch.chunk_schema"
                    + " and i.tablename = ch.chunk_name and i.indexdef like '%(meter_id, \"time\")')"))
                    .as("chunks without the per-meter index").isZero();
            try (Statement st = c.createStatement()) {
                st.execute("analyze readings");
                String day = " where meter_id = '" + meter(1) + "' and time >= '" + yesterday + "' and time < '"
                        + yesterday.plus(Duration.ofDays(1)) + "'";
                assertThat(String.join("\n", strings(c, "explain select * from readings" + day + " order by time, source")))
                        .contains("readings_meter_time");
                assertThat(String.join("\n", strings(c, "explain select * from readings" + day
                        + " order by time desc, source desc limit 1"))).contains("readings_meter_time");
            }
            Instant oldDay = first().plus(Duration.ofDays(2));
            List<Reading> before = ts.readings(meter(1), oldDay, oldDay.plus(Duration.ofDays(1)));
            assertThat(before).hasSize(24);
            assertThat(runJobs(c, "policy_compression")).isEqualTo(2);
            assertThat(count(c, "select count(*) from timescaledb_information.chunks where hypertable_name = 'readings'"
                    + " and is_compressed and range_start <= '" + oldDay + "' and range_end > '" + oldDay + "'")).isOne();
            assertThat(ts.readings(meter(1), oldDay, oldDay.plus(Duration.ofDays(1)))).as("from a compressed chunk")
                    .isEqualTo(before);
            assertThat(ts.readings(meter(1), yesterday, end())).hasSize(24);
            assertThat(ts.lastReading(meter(150))).get().extracting(Reading::time)
                    .isEqualTo(yesterday.plus(Duration.ofHours(23)));
        }
    }

    @Test
    void version19IndexesAnExistingHypertableAndLeavesThePlainLayoutAlone() throws Exception {
        String v19;
        try (var in = getClass().getResourceAsStream("/db/postgresql/V19__readings_meter_index_on_hypertables.sql")) {
            v19 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        new PostgresStore(tsdb.url()).close();
        new PostgresStore(plain.url()).close();
        String meterIndexes = "select count(*) from pg_indexes where tablename = 'readings' and indexdef like '%(meter_id, \"time\")'";
        try (Connection c = tsdb.connect(); Statement st = c.createStatement()) {
            st.execute("drop index " + PgTimeLayout.READINGS_METER_INDEX); // a hypertable from before V19
            assertThat(count(c, meterIndexes)).isZero();
            for (String sql : Migrations.split(v19)) {
                st.execute(sql);
            }
            assertThat(count(c, meterIndexes)).isOne();
        }
        try (Connection c = plain.connect(); Statement st = c.createStatement()) {
            for (String sql : Migrations.split(v19)) {
                st.execute(sql);
            }
            assertThat(count(c, meterIndexes)).as("plain PostgreSQL: per-meter indexes on days that have passed only").isZero();
            assertThat(strings(c, "select obj_description('readings'::regclass, 'pg_class')")).singleElement()
                    .asString().contains("readings_meter_time");
        }
    }

    @Test
    void rollupQueriesReadTheMaterializedAggregates() throws SQLException {
        try (PostgresStore ts = new PostgresStore(tsdb.url()); Connection c = tsdb.connect()) {
            pauseJobs(c);
            load(ts);
            runJobs(c, "policy_refresh_continuous_aggregate");
            Instant from = first().plus(Duration.ofDays(20));
            Instant to = Step.MONTH.floor(end(), ZONE); // below every aggregate's watermark
            // raw consumption chunks wholly before the current month: below every aggregate's watermark
            List<String> oldChunks = strings(c, "select chunk_name from timescaledb_information.chunks"
                    + " where hypertable_name = 'consumption' and range_end <= '" + to + "'");
            List<String> recentChunks = strings(c, "select chunk_name from timescaledb_information.chunks"
                    + " where hypertable_name = 'consumption' and range_end > '" + to + "'");
            assertThat(oldChunks).isNotEmpty();
            for (String view : List.of("consumption_hourly", "consumption_daily", "consumption_monthly")) {
                // the store's rollup query (JdbcMeterStore.rollup), as it reaches the server
                String plan = String.join("\n", strings(c, "explain select meter_id, bucket, volume_l, intervals,"
                        + " flag_bits from " + view + " where meter_id = '" + meter(1) + "' and bucket >= '" + from
                        + "' and bucket < '" + to + "' order by meter_id, bucket"));
                assertThat(plan).as(view).contains(materialized(c, view).replaceAll("^.*\\.", "") + "_meter_id_bucket");
                for (String chunk : oldChunks) {
                    assertThat(plan).as(view).doesNotContain(chunk);
                }
                // The real-time part (buckets above the watermark, from raw rows) is pruned for hours
                // and days. For months in a zone TimescaleDB 2.28 cannot prove that time_bucket('1 month',
                // start_time, zone) < the watermark excludes the rows at or after it, so the monthly view
                // still reads the raw rows of the current month (docs/store-and-api.md).
                for (String chunk : recentChunks) {
                    if (view.equals("consumption_monthly")) {
                        assertThat(plan).as(view).contains(chunk);
                    } else {
                        assertThat(plan).as(view).doesNotContain(chunk);
                    }
                }
            }
            assertThat(ts.rollup(Step.DAY, meter(1), from, to)).hasSize((int) ChronoUnit.DAYS.between(from, to));
        }
    }

    @Test
    void aStoreWithTheOldThreeMonthRefreshWindowGetsTheUnboundedOne() throws SQLException {
        new PostgresStore(tsdb.url()).close();
        try (Connection c = tsdb.connect(); Statement st = c.createStatement()) {
            for (String view : List.of("consumption_hourly", "consumption_daily", "consumption_monthly")) {
                st.execute("select remove_continuous_aggregate_policy('" + view + "')");
                st.execute("select add_continuous_aggregate_policy('" + view + "', start_offset => interval '3 months',"
                        + " end_offset => interval '1 hour', schedule_interval => interval '30 minutes')");
            }
        }
        new PostgresStore(tsdb.url()).close();
        try (Connection c = tsdb.connect()) {
            assertThat(strings(c, "select coalesce(config->>'start_offset', 'all time') from timescaledb_information.jobs"
                    + " where proc_name = 'policy_refresh_continuous_aggregate'")).containsExactly("all time", "all time",
                    "all time");
        }
    }
}
