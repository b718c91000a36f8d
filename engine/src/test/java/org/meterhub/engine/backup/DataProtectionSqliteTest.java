package org.meterhub.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class DataProtectionSqliteTest extends DataProtectionContract {
    private int stores;

    @Override
    String newStoreUrl() {
        return "jdbc:sqlite:" + tmp.resolve("store-" + (++stores) + ".db");
    }

    @Override
    String serverUrl() {
        return null;
    }

    @Override
    void dispose() {
    }

    @Test
    void verifyNamesTheTableChangedInTheBackupFile() throws Exception {
        String url = populated();
        Path dir = tmp.resolve("backup");
        Backups.backup(url, dir, s -> { });
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Backups.SQLITE_FILE));
             Statement st = c.createStatement()) {
            st.executeUpdate("update consumption set volume_l = 11 where meter_id = 'M2' and volume_l = 10"
                    + " and start_time = (select min(start_time) from consumption)");
        }
        Backups.Verification v = Backups.verify(dir, null, s -> { });
        assertThat(v.differing()).containsExactly("consumption (same row count, different checksum)");
    }
}
