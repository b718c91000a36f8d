package org.meterhub.engine.prepaid;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.PgTestDatabase;

/** The ledger's state and the purchases survive a restart, on both store dialects (migration V5). */
class ShadowLedgerPersistenceTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static PgTestDatabase pg;

    @BeforeAll
    static void createPg() {
        pg = PgTestDatabase.create();
    }

    @AfterAll
    static void dropPg() {
        pg.close();
    }

    @Test
    void aRestartedLedgerContinuesOnSqlite(@TempDir Path dir) {
        restartContinues("jdbc:sqlite:" + dir.resolve("store.db"));
    }

    @Test
    void aRestartedLedgerContinuesOnPostgres() {
        restartContinues(pg.url());
    }

    @Test
    void migrationV5CreatesThePrepaidTablesOnPostgres() throws Exception {
        try (SqlDatabase db = SqlDatabase.open(pg.url()); Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select table_name from information_schema.tables where table_name like 'prepaid_%'"
                     + " order by table_name")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) names.add(rs.getString(1));
            // V5: the ledger and purchases; V14: the balance reports and the per-cycle statements
            assertThat(names).containsExactly("prepaid_balance_reports", "prepaid_ledger", "prepaid_purchases",
                    "prepaid_statement_lines", "prepaid_statements");
        }
    }

    private static void restartContinues(String url) {
        Recorder first = new Recorder();
        try (SqlDatabase db = SqlDatabase.open(url); PurchaseStore purchases = new PurchaseStore(db)) {
            ShadowLedger ledger = new ShadowLedger(PrepaidSettings.defaults(), first, new JdbcLedgerStateStore(db));
            ledger.accept(report("7", 0, 100_000, "20.000"));
            Purchase p = new Purchase("P1", "7", at(1), new BigDecimal("30.000"), BalanceUnit.M3);
            assertThat(purchases.addAll(List.of(p))).isEqualTo(1);
            ledger.addPurchase(p);
            ledger.accept(report("7", 5, 102_500, "47.500"));
            ledger.accept(report("7", 6, 103_000, "37.000")); // ledger says 47.000: mismatch
            ledger.accept(report("8", 0, 5_000, "-1.000"));   // overdrawn: alarm and work item
            assertThat(first.alarms).extracting(a -> a.meterId() + ":" + a.kind() + ":" + a.raised())
                    .containsExactlyInAnyOrder("7:BALANCE_MISMATCH:true", "8:LOW_BALANCE:true", "8:OVERDRAFT:true");
            assertThat(first.work).hasSize(1);
        }

        Recorder second = new Recorder();
        try (SqlDatabase db = SqlDatabase.open(url); PurchaseStore purchases = new PurchaseStore(db)) {
            ShadowLedger ledger = new ShadowLedger(PrepaidSettings.defaults(), second, new JdbcLedgerStateStore(db));
            purchases.all().forEach(ledger::addPurchase);
            ShadowLedger.View before = ledger.view("7").orElseThrow();
            assertThat(before.expected()).isEqualByComparingTo("47.000");
            assertThat(before.mismatch()).isTrue();

            // Agrees with the basis from before the restart (20 + 30 - 3.5); a ledger that
            // re-anchored here would see no edge at all.
            ledger.accept(report("7", 7, 103_500, "46.500"));
            ledger.accept(report("8", 1, 5_100, "-1.100"));  // still overdrawn: no new edge, no second work item
            assertThat(second.alarms).extracting(a -> a.meterId() + ":" + a.kind() + ":" + a.raised())
                    .containsExactly("7:BALANCE_MISMATCH:false");
            assertThat(second.work).isEmpty();
            assertThat(ledger.view("7").orElseThrow().expected()).isEqualByComparingTo("46.500");
            assertThat(new JdbcLedgerStateStore(db).loadAll()).filteredOn(s -> s.meterId().equals("7")).singleElement()
                    .satisfies(s -> {
                        assertThat(s.anchorTime()).isEqualTo(T0);
                        assertThat(s.anchorBalance()).isEqualByComparingTo("20.000");
                        assertThat(s.lastVolumeL()).isEqualTo(103_500);
                        assertThat(s.purchasesApplied()).isEqualByComparingTo("30.000");
                        assertThat(s.mismatch()).isFalse();
                    });
        }
    }

    private static Instant at(int hour) {
        return T0.plus(Duration.ofHours(hour));
    }

    private static BalanceReport report(String meter, int hour, long volumeL, String balance) {
        return new BalanceReport(meter, at(hour), volumeL, new BigDecimal(balance), BalanceUnit.M3, false, false);
    }

    private static final class Recorder implements PrepaidListener {
        final List<PrepaidAlarm> alarms = new ArrayList<>();
        final List<WorkItem> work = new ArrayList<>();

        @Override
        public void alarm(PrepaidAlarm alarm) {
            alarms.add(alarm);
        }

        @Override
        public void workItem(WorkItem item) {
            work.add(item);
        }
    }
}
