package org.meterhub.app.dataprotection;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.SqliteStore;

/** export, erase, backup, backup verify and restore as an operator types them, against a store file. */
class DataProtectionCommandsTest {
    private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

    @Test
    void exportEraseBackupVerifyRestore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.db");
        String url = "jdbc:sqlite:" + file;
        try (SqliteStore s = new SqliteStore(file)) {
            for (String m : List.of("M1", "M2")) {
                s.registerMeter(new MeterInfo(m, Medium.GAS, 0, T0, MeterInfo.CJT188_CAPACITY_L));
                s.append(List.of(new Reading(m, T0, T0, 5, ReadingSource.CJT188, java.util.Set.of(), 0)), List.of());
            }
            s.saveAccount(new Account("A1", "M1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D1", LocalDate.of(2025, 1, 5), T0));
            s.saveAccount(new Account("A2", "M2", AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D1", LocalDate.of(2025, 1, 5), T0));
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("update meters set location = 'B3-R2-1201'");
        }

        TestCli.Run export = TestCli.meterhub("export", "--account", "A1", "--format", "csv", "--out", dir.resolve("out").toString(),
                "--store", url);
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(Files.readString(dir.resolve("out/account-A1-readings.csv"))).contains("M1,").doesNotContain("M2");
        assertThat(TestCli.meterhub("export", "--account", "A1", "--format", "xml", "--store", url).err())
                .contains("--format: expected json or csv");

        TestCli.Run erase = TestCli.meterhub("erase", "--account", "A1", "--reason", "request 42", "--store", url);
        assertThat(erase.exit()).as(erase.err()).isZero();
        assertThat(erase.out()).contains("meters.location: 1 rows").contains("bills").contains("erase.keep-billing-years");

        Path backup = dir.resolve("backup");
        TestCli.Run b = TestCli.meterhub("backup", "--to", backup.toString(), "--store", url);
        assertThat(b.exit()).as(b.err()).isZero();
        TestCli.Run ok = TestCli.meterhub("backup", "verify", backup.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("OK");

        String restored = "jdbc:sqlite:" + dir.resolve("restored.db");
        assertThat(TestCli.meterhub("restore", "--from", backup.toString(), "--to", restored).exit()).isZero();
        TestCli.Run again = TestCli.meterhub("restore", "--from", backup.toString(), "--to", restored);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("restore only into a new store");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + backup.resolve("store.db")); Statement st = c.createStatement()) {
            st.executeUpdate("delete from readings where meter_id = 'M2'");
        }
        TestCli.Run bad = TestCli.meterhub("backup", "verify", backup.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("FAILED").contains("readings (rows 2 in the manifest, 1 restored)");
    }
}
