package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;

/** PostgreSQL without TimescaleDB: daily and monthly partitions, time_bucket, the COPY sink and its replays. */
class PgTimeLayoutTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = PgTestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void emptyDatabase() {
        db.reset();
    }

    private static Reading reading(String meter, Instant t, long v) {
        return new Reading(meter, t, t.plusSeconds(2), v, ReadingSource.CJT188, Set.of(), 0);
    }

    private static ConsumptionInterval interval(String meter, Instant t, long v) {
        return new ConsumptionInterval(meter, t, t.plus(Duration.ofMinutes(30)), v, Set.of());
    }

    @Test
    void readingsArePartitionedByDayAndConsumptionByMonthOnDemandAndAhead() throws SQLException {
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", Instant.parse("2023-03-15T00:00:00Z"), 1)),
                    List.of(interval("M1", Instant.parse("2023-07-31T23:30:00Z"), 1)));
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select relname || ' ' || relkind::text from pg_class where relname in"
                    + " ('readings', 'consumption') order by 1")).containsExactly("consumption p", "readings p");
            assertThat(strings(st, "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                    + " join pg_class p on p.oid = i.inhparent where p.relname = 'readings' order by 1"))
                    .contains("readings_p20230315", "readings_p20230316") // the day and the one ahead
                    .doesNotContain("readings_p202303");
            assertThat(strings(st, "select tableoid::regclass::text from consumption"))
                    .containsExactly("consumption_p202307");
            // the primary keys still hold across partitions
            assertThat(strings(st, "select pg_get_constraintdef(oid) from pg_constraint where contype = 'p'"
                    + " and conrelid = 'readings'::regclass")).containsExactly("PRIMARY KEY (\"time\", meter_id, source)");
        }
    }

    /**
     * Daily rollups are cut by month at local midnight in the rollup zone (Asia/Shanghai, 16:00 UTC the day
     * before), so a billing month's days sit in one partition: an interval at 17:00 UTC on 31 October is a
     * 1 November day, in November's partition; one at 15:00 UTC is in October's.
     */
    @Test
    void dailyRollupsArePartitionedByMonthInTheRollupZone() throws SQLException {
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(), List.of(interval("M1", Instant.parse("2026-10-31T15:00:00Z"), 300),
                    interval("M1", Instant.parse("2026-10-31T17:00:00Z"), 700)));
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select relkind::text from pg_class where relname = 'consumption_daily'")).containsExactly("p");
            assertThat(strings(st, "select tableoid::regclass::text || ' ' || volume_l from consumption_daily order by bucket"))
                    .containsExactly("consumption_daily_p202610 300", "consumption_daily_p202611 700");
            assertThat(strings(st, "select pg_get_expr(c.relpartbound, c.oid) from pg_class c"
                    + " where c.relname = 'consumption_daily_p202611'"))
                    .containsExactly("FOR VALUES FROM ('2026-10-31 16:00:00+00') TO ('2026-11-30 16:00:00+00')");
            // the months around the intervals' are made ahead (a Shanghai day can start in the UTC month before)
            assertThat(strings(st, "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                    + " join pg_class p on p.oid = i.inhparent where p.relname = 'consumption_daily' order by 1"))
                    .contains("consumption_daily_p202609", "consumption_daily_p202612");
            // a bill run's period read by key touches the period's partitions only
            assertThat(String.join("\n", strings(st, "explain select sum(volume_l) from consumption_daily where meter_id = 'M1'"
                    + " and bucket >= '2026-10-31 16:00+00' and bucket < '2026-11-14 16:00+00'")))
                    .contains("consumption_daily_p202611").doesNotContain("consumption_daily_p202610");
        }
    }

    @Test
    void aPlainDailyRollupTableIsPartitionedAtOpenWithItsRows() throws SQLException {
        new PostgresStore(db.url()).close();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // the layout before rollups were partitioned: a plain table with a year of days of two meters
            st.execute("drop table consumption_daily");
            st.execute("create table consumption_daily (meter_id text not null, bucket timestamptz not null,"
                    + " volume_l bigint not null check (volume_l >= 0), intervals integer not null check (intervals > 0),"
                    + " flag_bits integer not null default 0, primary key (meter_id, bucket) include (volume_l, intervals, flag_bits))");
            st.execute("insert into consumption_daily select 'M' || m, timestamptz '2025-12-31 16:00+00' + d * interval '1 day',"
                    + " m * 1000 + d, 24, 0 from generate_series(1, 2) m cross join generate_series(0, 364) d");
        }
        try (PostgresStore store = new PostgresStore(db.url())) {
            assertThat(store.rollup(Step.DAY, "M2", Instant.parse("2026-01-31T16:00:00Z"), Instant.parse("2026-02-02T16:00:00Z")))
                    .extracting(RollupRow::volumeL).containsExactly(2031L, 2032L);
            // and the store's own writes go on into it
            store.append(List.of(), List.of(interval("M1", Instant.parse("2026-03-01T00:00:00Z"), 5)));
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select relkind::text from pg_class where relname = 'consumption_daily'")).containsExactly("p");
            assertThat(strings(st, "select count(*) || ' ' || sum(volume_l) from consumption_daily"))
                    .containsExactly("730 " + (365L * 3000 + 2 * (364L * 365 / 2) + 5));
            assertThat(strings(st, "select count(distinct tableoid) from consumption_daily")).containsExactly("12");
            assertThat(strings(st, "select volume_l from consumption_daily_p202603 where meter_id = 'M1'"
                    + " and bucket = '2026-02-28 16:00+00'")).containsExactly(String.valueOf(1000 + 59 + 5));
        }
    }

    @Test
    void timeBucketMatchesTheEnginesBuckets() throws SQLException {
        new PostgresStore(db.url()).close();
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        List<Instant> times = List.of(Instant.parse("2024-01-31T15:59:59.999Z"), Instant.parse("2024-01-31T16:00:00Z"),
                Instant.parse("1999-12-31T23:30:00Z"), Instant.parse("2024-12-31T20:00:00Z"),
                Instant.parse("1990-07-01T12:00:00Z"));
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "select time_bucket('1 hour', ?::timestamptz), time_bucket('1 day', ?::timestamptz, 'Asia/Shanghai'),"
                        + " time_bucket('1 month', ?::timestamptz, 'Asia/Shanghai'), time_bucket('1 day', ?::timestamptz)")) {
            for (Instant t : times) {
                OffsetDateTime odt = t.atOffset(ZoneOffset.UTC);
                for (int i = 1; i <= 4; i++) {
                    ps.setObject(i, odt);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(Step.HOUR.floor(t, shanghai));
                    assertThat(rs.getObject(2, OffsetDateTime.class).toInstant()).as("day of %s", t)
                            .isEqualTo(Step.DAY.floor(t, shanghai));
                    assertThat(rs.getObject(3, OffsetDateTime.class).toInstant()).as("month of %s", t)
                            .isEqualTo(Step.MONTH.floor(t, shanghai));
                    assertThat(rs.getObject(4, OffsetDateTime.class).toInstant())
                            .isEqualTo(Step.DAY.floor(t, ZoneOffset.UTC));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(PostgresStore.AppendMode.class)
    void replaysAreIgnoredAndRollupsCountEachIntervalOnce(PostgresStore.AppendMode mode) throws SQLException {
        Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            readings.add(reading("M" + (i % 5), t0.plus(Duration.ofMinutes(30L * (i / 5))), i));
            intervals.add(interval("M" + (i % 5), t0.plus(Duration.ofMinutes(30L * (i / 5))), 10 + i));
        }
        try (PostgresStore store = new PostgresStore(db.url(), mode)) {
            store.append(readings.subList(0, 300), intervals.subList(0, 300));
            store.append(readings, intervals); // overlaps: the staging way
            store.append(readings.subList(450, 500), intervals.subList(450, 500)); // all old
            assertThat(store.readingCount()).isEqualTo(500);
            long expected = intervals.stream().mapToLong(ConsumptionInterval::volumeL).sum();
            assertThat(store.totals(t0, t0.plus(Duration.ofDays(40)), null, false, 10).stream()
                    .mapToLong(MeterTotal::volumeL).sum()).isEqualTo(expected);
            // hour-aligned range: answered from the hourly rollup; cut range: from raw rows
            assertThat(store.totals(t0, t0.plus(Duration.ofHours(50)), null, false, 10))
                    .isEqualTo(store.totals(t0, t0.plus(Duration.ofHours(50)).minusMillis(1), null, false, 10));
            assertThat(sum(store, "select sum(volume_l) from consumption_hourly")).isEqualTo(expected);
            assertThat(sum(store, "select sum(intervals) from consumption_daily")).isEqualTo(500);
            assertThat(sum(store, "select sum(volume_l) from consumption_monthly")).isEqualTo(expected);
            assertThat(store.readings("M3", Instant.MIN, Instant.MAX)).hasSize(100)
                    .isEqualTo(readings.stream().filter(r -> r.meterId().equals("M3")).toList());
        }
    }

    @Test
    void aDatabaseWrittenBeforeVersion2GetsPartitionsAndRollupsFromItsRows() throws SQLException {
        Instant t0 = Instant.parse("2024-03-31T15:00:00Z");
        try (Connection c = db.connect()) {
            Migrations.apply(c, Dialect.POSTGRESQL); // everything, then pretend only V1 ran
            try (Statement st = c.createStatement()) {
                st.execute("drop schema public cascade");
                st.execute("create schema public");
                for (String sql : Migrations.split(Migrations.load(Dialect.POSTGRESQL).get(0).sql())) {
                    st.execute(sql);
                }
                st.execute("create table schema_migrations (version integer primary key, name text not null,"
                        + " applied_at timestamptz not null)");
                st.execute("insert into schema_migrations values (1, 'V1__base.sql', now())");
                st.execute("insert into consumption values ('M1', '" + t0 + "', '" + t0.plusSeconds(1800)
                        + "', 700, ''), ('M1', '" + t0.plusSeconds(3600) + "', '" + t0.plusSeconds(5400) + "', 300, 'SPREAD')");
                st.execute("insert into readings values ('M1', '" + t0 + "', 'CJT188', '" + t0 + "', 5, '', 0)");
            }
        }
        try (PostgresStore store = new PostgresStore(db.url())) {
            assertThat(store.readingCount()).isEqualTo(1);
            var months = store.rollup(Step.MONTH, "M1", Instant.parse("2024-02-29T16:00:00Z"),
                    Instant.parse("2024-04-30T16:00:00Z"));
            assertThat(months).extracting(RollupRow::volumeL).containsExactly(700L, 300L); // Shanghai months
        }
    }

    @Test
    void aDayThatHasPassedGetsItsMeterIndexOnceAndLookupsUseIt() throws SQLException {
        Instant now = Instant.parse("2023-03-31T03:00:00Z");
        try (PostgresStore store = new PostgresStore(db.url())) {
            List<Reading> rows = new ArrayList<>();
            for (int h = 0; h < 48; h++) {
                for (int m = 0; m < 50; m++) {
                    rows.add(reading("M" + m, Instant.parse("2023-03-29T00:00:00Z").plusSeconds(3600L * h), h));
                }
            }
            store.append(rows, List.of()); // 29 and 30 March, and 31 March made ahead
            assertThat(store.indexClosedPartitions(Instant.parse("2023-03-30T01:00:00Z")))
                    .as("within the grace after its end a day is still open").isEmpty();
            assertThat(store.indexClosedPartitions(now))
                    .containsExactly("readings_p20230329_meter", "readings_p20230330_meter");
            assertThat(store.indexClosedPartitions(now)).as("built once").isEmpty();
            // late readings still go into a closed day, through the key and the new index
            store.append(List.of(reading("M7", Instant.parse("2023-03-29T00:30:00Z"), 0)), List.of());
            store.append(List.of(reading("M7", Instant.parse("2023-03-29T00:30:00Z"), 0)), List.of()); // replay
            assertThat(store.readings("M7", Instant.parse("2023-03-01T00:00:00Z"), Instant.parse("2023-04-01T00:00:00Z")))
                    .hasSize(49);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select indexrelid::regclass::text from pg_index where indrelid in"
                    + " ('readings_p20230330'::regclass, 'readings_p20230331'::regclass) and not indisprimary"))
                    .containsExactly("readings_p20230330_meter"); // the open day has its key only
            st.execute("set enable_seqscan = off"); // 1,200 rows a day: make the planner show which index it takes
            assertThat(String.join("\n", strings(st, "explain select * from readings where meter_id = 'M7'"
                    + " and time >= '2023-03-29' and time < '2023-03-30'"))).contains("readings_p20230329_meter");
            // a concurrent build that failed leaves an invalid index behind: it is built again
            st.execute("drop index readings_p20230329_meter");
            assertThatThrownBy(() -> st.execute("create unique index concurrently readings_p20230329_meter"
                    + " on readings_p20230329 (volume_l)")).isInstanceOf(SQLException.class); // 50 meters share each value
            assertThat(strings(st, "select indisvalid::text from pg_index"
                    + " where indexrelid = 'readings_p20230329_meter'::regclass")).containsExactly("false");
        }
        try (PostgresStore store = new PostgresStore(db.url())) {
            assertThat(store.indexClosedPartitions(now)).containsExactly("readings_p20230329_meter");
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select indisvalid::text || ' ' || pg_get_indexdef(indexrelid) from pg_index"
                    + " where indexrelid = 'readings_p20230329_meter'::regclass"))
                    .containsExactly("true CREATE INDEX readings_p20230329_meter ON public.readings_p20230329 USING btree (meter_id, \"time\")");
        }
    }

    @Test
    void aLongRunningStoreIndexesPassedDaysInTheBackgroundUntilItCloses() throws Exception {
        Instant now = Instant.now();
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", Instant.parse("2023-08-01T10:00:00Z"), 1), reading("M1", now, 2)),
                    List.of());
            store.maintainClosedPartitions(Duration.ofHours(1)); // runs at once, then hourly
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (meterIndexes().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(meterIndexes()).as("2023-08-01 and 2023-08-02 (made ahead) have passed; today has not")
                    .containsExactly("readings_p20230801_meter", "readings_p20230802_meter");
        }
    }

    private static List<String> meterIndexes() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            return strings(st, "select indexrelid::regclass::text from pg_index i join pg_class c on c.oid = i.indexrelid"
                    + " where c.relname like 'readings_p%_meter' and i.indisvalid order by 1");
        }
    }

    @Test
    void aMonthlyReadingsPartitionFromBeforeDailyOnesKeepsServingItsMonth() throws SQLException {
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", Instant.parse("2023-05-01T00:00:00Z"), 1)), List.of());
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) { // as a store made before
            st.execute("drop table readings_p20230501, readings_p20230502");
            st.execute("create table readings_p202305 partition of readings for values from ('2023-05-01 00:00+00')"
                    + " to ('2023-06-01 00:00+00')");
        }
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", Instant.parse("2023-05-20T00:00:00Z"), 2),
                    reading("M1", Instant.parse("2023-06-01T00:00:00Z"), 3)), List.of());
            assertThat(store.indexClosedPartitions(Instant.parse("2023-06-02T03:00:00Z")))
                    .containsExactly("readings_p202305_meter", "readings_p20230601_meter");
            assertThat(store.readings("M1", Instant.parse("2023-05-01T00:00:00Z"), Instant.parse("2023-07-01T00:00:00Z")))
                    .extracting(Reading::volumeL).containsExactly(2L, 3L);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select tableoid::regclass::text from readings order by time"))
                    .containsExactly("readings_p202305", "readings_p20230601");
        }
    }

    @Test
    void version6MovesAPartitionedStoreToTheTimeLeadingKey() throws SQLException {
        Instant t = Instant.parse("2024-06-01T10:00:00Z");
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", t, 5)), List.of());
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) { // back to version 5
            st.execute("alter table readings drop constraint readings_pkey");
            st.execute("alter table readings add primary key (meter_id, time, source)");
            st.execute("delete from schema_migrations where version = 6");
        }
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", t, 5), reading("M1", t.plusSeconds(3600), 6)), List.of());
            assertThat(store.readings("M1", t, t.plusSeconds(7200))).extracting(Reading::volumeL).containsExactly(5L, 6L);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(strings(st, "select pg_get_constraintdef(oid) from pg_constraint where contype = 'p'"
                    + " and conrelid = 'readings_p20240601'::regclass")).containsExactly("PRIMARY KEY (\"time\", meter_id, source)");
        }
    }

    @Test
    void auditRowsAreKeptInOrder() {
        try (PostgresStore store = new PostgresStore(db.url())) {
            Instant at = Instant.parse("2024-05-01T00:00:00Z");
            store.audit(new AuditEntry(at, "alice", "GET x", "M1", "from=1", "127.0.0.1"));
            store.audit(new AuditEntry(at.plusSeconds(1), "bob", "GET y", "*", null, null));
            assertThat(store.auditTrail(at, at.plusSeconds(60))).extracting(AuditEntry::actor)
                    .containsExactly("alice", "bob");
        }
    }

    private static long sum(PostgresStore store, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
