package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The worked examples on a SQLite store file. */
class BillRunSqliteTest extends BillRunContract {
    private Path dir;

    @Override
    String url() {
        try {
            if (dir == null) dir = Files.createTempDirectory("billing");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "jdbc:sqlite:" + dir.resolve("billing.db");
    }

    /**
     * A run's commit leaves the WAL to the checkpoint thread (AfterRunCheckpoint): once it is done, the
     * database file itself holds the run's bills. A run this small stays below the automatic checkpoint's
     * 1 000 pages, so without that thread the file would not have them yet. The run's connection gets its
     * settings back.
     */
    @Test
    @Order(20)
    void theRunsBillsAreCheckpointedIntoTheFileAfterTheRun() throws SQLException {
        YearMonth dec = YearMonth.of(2026, 12);
        assertThat(billing.run(clock).run(dec, false, false, new BillRun.Listener() { }).count(BillRun.Status.NEW)).isEqualTo(7);
        billing.awaitCheckpoint();
        // immutable: the file alone, without the WAL
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + dir.resolve("billing.db") + "?immutable=1");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from bills where cycle = '2026-12'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(7);
        }
        billing.bills().database().tx("settings", c -> {
            try (Statement st = c.createStatement()) {
                assertThat(one(st, "pragma wal_autocheckpoint")).isEqualTo(1000);
                assertThat(one(st, "pragma synchronous")).isEqualTo(2); // SQLite's default, FULL, for this connection
            }
            return null;
        });
    }

    private static int one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    void dispose() {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    int expectedReaders() {
        return 1;
    }
}
