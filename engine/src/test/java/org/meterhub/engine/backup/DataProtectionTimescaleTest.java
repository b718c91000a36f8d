package org.meterhub.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Backup, restore, verify, export and erase on the server with TimescaleDB preloaded (127.0.0.1:5433,
 * scripts/timescaledb.sh): readings and consumption are hypertables with continuous aggregates, which a plain
 * pg_restore cannot put back (TimescaleDB wants {@code timescaledb_pre_restore()} and
 * {@code timescaledb_post_restore()} around it). Fails, never skips, when the server is missing.
 */
class DataProtectionTimescaleTest extends DataProtectionContract {
    private final List<PgTestDatabase> databases = new ArrayList<>();

    @Override
    String newStoreUrl() {
        PgTestDatabase pg = PgTestDatabase.createTimescale();
        databases.add(pg);
        return pg.url();
    }

    @Override
    String serverUrl() {
        return databases.get(0).url();
    }

    @Override
    void dispose() {
        databases.forEach(PgTestDatabase::close);
        databases.clear();
    }

    /**
     * The restored store is a TimescaleDB store again, not only the same rows: hypertables with their chunks, the
     * continuous aggregates answer, the restoring mode is off, and new readings go in.
     */
    @Test
    void hypertablesAndContinuousAggregatesComeBackAndTakeNewReadings() throws Exception {
        String url = populated();
        try (TimeSeriesStore ts = StoreFactory.open(url)) {
            assertThat(((PostgresStore) ts).hypertables()).as("the source store is on hypertables").isTrue();
        }
        Path dir = tmp.resolve("backup");
        Backups.backup(url, dir, s -> { });
        String target = newStoreUrl();
        List<String> progress = new ArrayList<>();
        Backups.restore(dir, target, progress::add);
        assertThat(progress).anyMatch(p -> p.contains("hypertables and continuous aggregates")).anyMatch(p -> p.contains("refreshing continuous aggregate"));
        assertThat(Manifest.read(dir).file()).isEqualTo("tables");
        try (Connection c = DriverManager.getConnection(target); Statement st = c.createStatement()) {
            assertThat(strings(st, "select hypertable_name from timescaledb_information.hypertables"
                    + " where hypertable_schema = current_schema()")).contains("readings");
            assertThat(strings(st, "select view_name from timescaledb_information.continuous_aggregates")).isNotEmpty();
            assertThat(strings(st, "select current_setting('timescaledb.restoring', true)")).containsExactly("off");
        }
        try (TimeSeriesStore restored = StoreFactory.open(target)) {
            assertThat(((PostgresStore) restored).hypertables()).isTrue();
            assertThat(restored.readings("M1", T0, T0.plus(Duration.ofDays(1)))).hasSize(48);
            Instant later = T0.plus(Duration.ofDays(40)); // a new chunk
            restored.append(List.of(new Reading("M1", later, later.plusSeconds(3), 2_000, ReadingSource.CJT188, Set.of(), 0)),
                    List.of(new ConsumptionInterval("M1", later.minus(Duration.ofMinutes(15)), later, 10, Set.of())));
            assertThat(restored.readings("M1", later, later.plusSeconds(1))).hasSize(1);
        }
        Backups.Verification v = Backups.verify(dir, serverUrl(), s -> { });
        assertThat(v.differing()).isEmpty();
    }

    private static List<String> strings(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
