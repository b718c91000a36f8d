package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;

/**
 * Opening an existing SQLite store leaves no read transaction open on its writer: when another
 * connection to the file writes next (the console adding a user, the rules raising an alarm), the
 * store's first write still goes through instead of failing at once with SQLITE_BUSY_SNAPSHOT.
 */
class SqliteOpenThenOtherWriterTest {

    @Test
    void theStoresFirstWriteAfterAnotherConnectionsWriteSucceeds(@TempDir Path dir) {
        Path file = dir.resolve("store.db");
        new SqliteStore(file).close(); // the file exists: the next open only reads its settings
        try (SqliteStore store = new SqliteStore(file); SqlDatabase other = SqlDatabase.open("jdbc:sqlite:" + file)) {
            other.tx("write beside the store", c -> SqlDatabase.update(c, "insert into users (name, role, password_hash,"
                    + " created_at, created_by) values ('ops.lee', 'viewer', null, 0, 'test')", ps -> { }));
            store.registerMeter(new MeterInfo("30000000000001", Medium.GAS, 0, Instant.parse("2026-12-01T00:00:00Z"),
                    MeterInfo.CJT188_CAPACITY_L));
            assertThat(store.meter("30000000000001")).isPresent();
        }
    }
}
