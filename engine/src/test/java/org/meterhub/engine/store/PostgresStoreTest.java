package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs against a real PostgreSQL server (see {@link PgTestDatabase}); fails if there is none. */
class PostgresStoreTest extends MeterStoreContract {

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

    @Override
    MeterStore open() {
        return new PostgresStore(db.url());
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    Connection rawConnection() throws SQLException {
        return db.connect();
    }

    @Test
    void describeHidesThePasswordAndSaysMonthlyPartitionsWithoutTimescale() {
        try (PostgresStore store = new PostgresStore(db.url() + (db.url().contains("?") ? "&" : "?") + "sslpassword=topsecret")) {
            String description = store.describe();
            assertThat(description).startsWith("PostgreSQL jdbc:postgresql://").contains(db.name())
                    .doesNotContain("topsecret");
            if (db.url().contains("password=")) {
                assertThat(description).contains("password=***");
            }
            assertThat(store.hypertables()).isFalse(); // TimescaleDB is not preloaded on the plain test server
            assertThat(description).endsWith("(daily and monthly partitions)");
            assertThat(store.partitioned()).isTrue();
        }
    }

    /**
     * What a user has after installing TimescaleDB's package and before editing postgresql.conf, and
     * what scripts/timescaledb.sh leaves on the plain server: the extension's files are there, the
     * library is not preloaded, and {@code CREATE EXTENSION} would end the session with FATAL.
     */
    @Test
    void opensPlainWithOneWarningWhenTimescaleIsInstalledButNotPreloaded() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select (select default_version from pg_available_extensions where name = 'timescaledb'),"
                        + " current_setting('timescaledb.disable_load', true)")) {
            rs.next();
            assertThat(rs.getString(1)).as("TimescaleDB installed on the plain server (scripts/timescaledb.sh)")
                    .isNotNull();
            assertThat(rs.getString(2)).as("TimescaleDB's loader on the plain server (it must not be preloaded)")
                    .isNull();
        }
        try (LogCapture logs = new LogCapture(PostgresStore.class);
             PostgresStore store = new PostgresStore(db.url())) {
            assertThat(store.hypertables()).isFalse();
            assertThat(store.partitioned()).isTrue();
            assertThat(logs.messages(ch.qos.logback.classic.Level.WARN)).singleElement().asString()
                    .contains("is installed on the server but not preloaded")
                    .contains("partitioned by day and month")
                    .contains("add timescaledb to shared_preload_libraries in postgresql.conf")
                    .doesNotContain("\n");
            store.append(List.of(reading("M1", MeterStoreContract.T0, 1230)), List.of());
            assertThat(store.lastReading("M1")).get().extracting(Reading::volumeL).isEqualTo(1230L);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select count(*) from pg_extension where extname = 'timescaledb'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void everyAppendModeKeepsTheMeterClock() {
        Instant t0 = MeterStoreContract.T0;
        for (PostgresStore.AppendMode mode : PostgresStore.AppendMode.values()) {
            db.reset();
            try (PostgresStore store = new PostgresStore(db.url(), mode)) {
                Reading skewed = new Reading("M1", t0, t0, 10, ReadingSource.CJT188, Set.of(ReadingFlag.CLOCK_SKEW),
                        0, t0.plusSeconds(3_600));
                Reading plain = new Reading("M1", t0.plusSeconds(900), t0.plusSeconds(900), 20, ReadingSource.CJT188,
                        Set.of(), 0, null);
                store.append(List.of(skewed, plain), List.of());
                store.append(List.of(skewed, plain), List.of()); // replay: staging in COPY_DIRECT_FIRST
                assertThat(store.readings("M1", t0, t0.plusSeconds(3_600))).as(mode.name())
                        .containsExactly(skewed, plain);
            }
        }
    }

    @Test
    void rollupKeysCoverTheSeriesColumnsForIndexOnlyScans() throws SQLException {
        new PostgresStore(db.url()).close();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select indexname, indexdef from pg_indexes where indexname like 'consumption\\_%\\_pkey'"
                        + " and tablename in ('consumption_hourly', 'consumption_daily', 'consumption_monthly')")) {
            int n = 0;
            while (rs.next()) {
                n++;
                assertThat(rs.getString(2)).as(rs.getString(1))
                        .contains("(meter_id, bucket) INCLUDE (volume_l, intervals, flag_bits)");
            }
            assertThat(n).isEqualTo(3);
        }
    }

    @Test
    void columnsHaveTheDocumentedTypesAndComments() throws SQLException {
        new PostgresStore(db.url()).close();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    select table_name || '.' || column_name || ' ' || data_type
                      from information_schema.columns
                     where table_name in ('meters', 'readings', 'consumption')
                       and (column_name like '%time%' or column_name like '%\\_l' or column_name like '%\\_at')
                     order by 1""")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            assertThat(rows).containsExactly(
                    "consumption.end_time timestamp with time zone",
                    "consumption.start_time timestamp with time zone",
                    "consumption.volume_l bigint",
                    "meters.base_reading_l bigint",
                    "meters.base_time timestamp with time zone",
                    "meters.created_at timestamp with time zone",
                    "meters.register_capacity_l bigint",
                    "readings.meter_time timestamp with time zone",
                    "readings.received_at timestamp with time zone",
                    "readings.time timestamp with time zone",
                    "readings.volume_l bigint");
            try (ResultSet rs = st.executeQuery("""
                    select c.relname || coalesce('.' || a.attname, '')
                      from pg_class c
                      left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                     where c.relname in ('meters', 'readings', 'consumption') and c.relkind = 'r'
                       and (obj_description(c.oid, 'pg_class') is null
                            or (a.attname is not null and col_description(c.oid, a.attnum) is null))""")) {
                List<String> undocumented = new ArrayList<>();
                while (rs.next()) {
                    undocumented.add(rs.getString(1));
                }
                assertThat(undocumented).as("tables and columns without COMMENT").isEmpty();
            }
        }
    }

    @Test
    void readsSurviveTheServerEndingTheirSession() throws Exception {
        try (PostgresStore store = new PostgresStore(db.url())) {
            store.append(List.of(reading("M1", T0, 1230)), List.of());
            assertThat(store.lastReading("M1")).isPresent();
            // What a server restart does to every open session of the store.
            try (Connection admin = java.sql.DriverManager.getConnection(PgTestDatabase.adminUrl());
                 Statement st = admin.createStatement()) {
                st.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + db.name()
                        + "' and pid <> pg_backend_pid()");
            }
            assertThat(store.lastReading("M1")).get().extracting(Reading::volumeL).isEqualTo(1230L);
        }
    }
}
