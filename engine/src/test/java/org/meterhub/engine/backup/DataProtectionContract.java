package org.meterhub.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.subject.AccountErasure;
import org.meterhub.engine.subject.AccountExport;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;

/**
 * Backup, restore, verify, export and erase on one kind of store: two accounts (A1 on meter M1, A2 on
 * M2) with readings, consumption, a bill each and audit rows.
 */
abstract class DataProtectionContract {
    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

    @TempDir
    Path tmp;

    /** A fresh empty store's URL. */
    abstract String newStoreUrl();

    /** The URL whose server hosts scratch databases (PostgreSQL), or null. */
    abstract String serverUrl();

    abstract void dispose();

    @AfterEach
    void tearDown() {
        dispose();
    }

    String populated() {
        String url = newStoreUrl();
        try (TimeSeriesStore ts = StoreFactory.open(url)) {
            for (String m : List.of("M1", "M2")) {
                ts.registerMeter(new MeterInfo(m, Medium.GAS, 1_000, T0.minus(Duration.ofDays(30)), MeterInfo.CJT188_CAPACITY_L));
                List<Reading> readings = new ArrayList<>();
                List<ConsumptionInterval> intervals = new ArrayList<>();
                for (int i = 0; i < 48; i++) {
                    Instant t = T0.plus(Duration.ofMinutes(15L * i));
                    readings.add(new Reading(m, t, t.plusSeconds(3), 1_000 + 10L * i, ReadingSource.CJT188, Set.of(), 0));
                    if (i > 0) intervals.add(new ConsumptionInterval(m, t.minus(Duration.ofMinutes(15)), t, 10, Set.of()));
                }
                ts.append(readings, intervals);
            }
            ts.saveAccount(new Account("A1", "M1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D1", LocalDate.of(2025, 1, 5), T0));
            ts.saveAccount(new Account("A2", "M2", AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D1", LocalDate.of(2025, 1, 6), T0));
            ts.audit(new AuditEntry(T0, "alice", "api readings", "M1", "from=x", "10.0.0.1"));
            ts.audit(new AuditEntry(T0, "bob", "api balance", "A1", "", "10.0.0.2"));
            ts.audit(new AuditEntry(T0, "carol", "api readings", "M2", "", "10.0.0.3"));
            ts.audit(new AuditEntry(T0, "carol", "api balance", "A2", "", "10.0.0.3"));
        }
        try (SqlDatabase db = SqlDatabase.open(url)) {
            db.tx("fixture", c -> {
                SqlDatabase.update(c, "update meters set location = 'B3-R2-1201' where meter_id = 'M1'", ps -> { });
                SqlDatabase.update(c, "update meters set location = 'B4-R1-0302' where meter_id = 'M2'", ps -> { });
                for (String[] a : new String[][] {{"A1", "M1", "26.10"}, {"A2", "M2", "52.20"}}) {
                    long id = SqlDatabase.insertReturningId(c, "insert into bills (account_id, cycle, version, replaces_bill_id,"
                            + " reason, tariff_id, variants, period_first, period_last, total, created_at)"
                            + " values (?, '2026-11', 1, null, 'cycle', 'residential-gas', '', '2026-11-01', '2026-11-30', ?, ?)"
                            + " returning bill_id", ps -> {
                                ps.setString(1, a[0]);
                                ps.setString(2, a[2]);
                                db.bindTime(ps, 3, T0);
                            });
                    SqlDatabase.update(c, "insert into bill_lines (bill_id, line_no, kind, meter_id, first_day, last_day,"
                            + " tariff_version, tier, tariff_year, volume_l, unit_price, amount, estimated, explanation)"
                            + " values (?, 1, 'USAGE', ?, '2026-11-01', '2026-11-30', '2026-01-01', 1, 2026, 10000, '2.61', ?, 0,"
                            + " 'tier 1')", ps -> {
                                ps.setLong(1, id);
                                ps.setString(2, a[1]);
                                ps.setString(3, a[2]);
                            });
                }
                return null;
            });
        }
        return url;
    }

    @Test
    void backupRestoreAndVerifyGiveTheSameTables() throws Exception {
        String url = populated();
        Path dir = tmp.resolve("backup");
        Manifest m = Backups.backup(url, dir, s -> { });
        assertThat(m.tables()).containsKeys("accounts", "bills", "bill_lines", "audit", "erasures");
        assertThat(m.tables().get("accounts").rows()).isEqualTo(2);
        assertThat(m.tables().entrySet().stream().filter(e -> e.getKey().startsWith("readings"))
                .mapToLong(e -> e.getValue().rows()).sum()).isEqualTo(96);
        assertThat(Manifest.read(dir)).isEqualTo(m);

        Backups.Verification v = Backups.verify(dir, serverUrl(), s -> { });
        assertThat(v.differing()).isEmpty();
        assertThat(v.restored()).isEqualTo(m.tables());

        String target = newStoreUrl();
        Backups.restore(dir, target, s -> { });
        try (TimeSeriesStore restored = StoreFactory.open(target)) {
            assertThat(restored.readings("M1", T0, T0.plus(Duration.ofDays(1)))).hasSize(48);
        }
        assertThatThrownBy(() -> Backups.restore(dir, target, s -> { })).hasMessageContaining("restore only into");
    }

    @Test
    void verifyNamesTheTablesOfATamperedManifest() throws Exception {
        String url = populated();
        Path dir = tmp.resolve("backup");
        Backups.backup(url, dir, s -> { });
        Path manifest = dir.resolve(Manifest.NAME);
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(manifest)) {
            if (line.startsWith("table\taccounts\t")) line = "table\taccounts\t3\t" + "0".repeat(32);
            if (line.startsWith("table\tbills\t")) line = line.substring(0, line.length() - 1) + (line.endsWith("0") ? "1" : "0");
            lines.add(line);
        }
        Files.write(manifest, lines, StandardCharsets.UTF_8);

        Backups.Verification v = Backups.verify(dir, serverUrl(), s -> { });
        assertThat(v.ok()).isFalse();
        assertThat(v.differing()).containsExactly("accounts (rows 3 in the manifest, 2 restored)",
                "bills (same row count, different checksum)");
    }

    @Test
    void exportHoldsTheAccountsReadingsAndAuditAndNothingOfAnother() throws Exception {
        String url = populated();
        Path out = tmp.resolve("export");
        AccountExport.Result r;
        try (SqlDatabase db = SqlDatabase.open(url)) {
            r = AccountExport.export(db, "A1", AccountExport.Format.JSON, out, "dpo", "cli", s -> { });
        }
        assertThat(r.rows()).containsEntry("readings", 48L).containsEntry("consumption", 47L).containsEntry("bills", 1L)
                .containsEntry("bill_lines", 1L).containsEntry("meters", 1L).containsEntry("accounts", 1L);
        assertThat(r.rows().get("audit")).isEqualTo(3L); // alice on M1, bob on A1, and the export itself
        String json = Files.readString(r.files().get(0));
        assertThat(json).contains("\"alice\"", "\"bob\"", "\"export account\"", "B3-R2-1201", "\"M1\"")
                .doesNotContain("\"M2\"", "\"A2\"", "carol", "B4-R1-0302", "52.20");

        AccountExport.Result csv;
        try (SqlDatabase db = SqlDatabase.open(url)) {
            csv = AccountExport.export(db, "A1", AccountExport.Format.CSV, tmp.resolve("csv"), "dpo", "cli", s -> { });
        }
        Path readings = csv.files().stream().filter(p -> p.getFileName().toString().endsWith("-readings.csv")).findFirst().orElseThrow();
        List<String> rows = Files.readAllLines(readings);
        assertThat(rows).hasSize(49);
        assertThat(rows.get(0)).startsWith("meter_id,");
        assertThat(rows.subList(1, rows.size())).allMatch(l -> l.startsWith("M1,"));
    }

    @Test
    void eraseReplacesTheLocationKeepsBillsAndRecordsWhoAndWhy() throws Exception {
        String url = populated();
        Path before = tmp.resolve("before");
        Manifest m = Backups.backup(url, before, s -> { });
        try (SqlDatabase db = SqlDatabase.open(url)) {
            AccountErasure.Result dry = AccountErasure.erase(db, "A1", "dpo", "request 2026-0042", 10, true, "cli");
            assertThat(dry.pseudonymised()).containsEntry("meters.location", 1L);
            assertThat(location(url, "M1")).isEqualTo("B3-R2-1201");

            AccountErasure.Result done = AccountErasure.erase(db, "A1", "dpo", "request 2026-0042", 10, false, "cli");
            assertThat(done.erasureId()).isPositive();
            assertThat(done.kept()).anyMatch(k -> k.startsWith("bills"));
            assertThatThrownBy(() -> AccountErasure.erase(db, "NOPE", "dpo", "x", 10, false, "cli")).hasMessageContaining("not in the store");
        }
        assertThat(location(url, "M1")).isEqualTo("erased #1");
        assertThat(location(url, "M2")).isEqualTo("B4-R1-0302");
        Path after = tmp.resolve("after");
        Manifest n = Backups.backup(url, after, s -> { });
        for (String table : List.of("bills", "bill_lines", "accounts", "consumption")) {
            assertThat(n.tables().get(table)).as(table).isEqualTo(m.tables().get(table));
        }
        assertThat(n.tables().get("erasures").rows()).isEqualTo(1);
        assertThat(n.tables().get("audit").rows()).isEqualTo(m.tables().get("audit").rows() + 3); // backup-free: dry run, erase, refused
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select erased_by, reason, pseudonymised from erasures")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3))
                    .isEqualTo("dpo|request 2026-0042|meters.location=1");
        }
    }

    private static String location(String url, String meter) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select location from meters where meter_id = '" + meter + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
