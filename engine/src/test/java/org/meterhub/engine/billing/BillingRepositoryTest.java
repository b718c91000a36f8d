package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meterhub.engine.consumption.JdbcMeterExchanges;
import org.meterhub.engine.consumption.MeterExchange;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.PgTestDatabase;

/**
 * The billing tables (V8) through their repositories on SQLite and PostgreSQL, without a store:
 * tariffs round-trip exactly and never change once stored, bills and lines round-trip, the current
 * version and the tier positions count only current versions of earlier cycles.
 */
class BillingRepositoryTest {
    private static final Instant NOW = Instant.parse("2026-11-15T02:00:00Z");
    private static PgTestDatabase pg;

    @TempDir
    static Path dir;

    @BeforeAll
    static void createPg() {
        pg = PgTestDatabase.create();
    }

    @AfterAll
    static void dropPg() {
        pg.close();
    }

    private static String url(String kind) {
        return kind.equals("sqlite") ? "jdbc:sqlite:" + dir.resolve("repo.db") : pg.url();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void tariffsBillsAndPositions(String kind) {
        try (SqlDatabase db = SqlDatabase.open(url(kind))) {
            JdbcTariffs tariffs = new JdbcTariffs(db);
            assertThat(tariffs.load(TestTariffs.book(), NOW)).isEqualTo(new JdbcTariffs.LoadResult(1, 2, 0));
            assertThat(tariffs.book()).isEqualTo(TestTariffs.book());
            assertThat(tariffs.load(TestTariffs.book(), NOW)).isEqualTo(new JdbcTariffs.LoadResult(0, 0, 2));

            Tariff changed = new Tariff("residential-gas", TestTariffs.residential().classes(), TestTariffs.residential().yearStart(),
                    List.of(TestTariffs.v1(), new TariffVersion(TestTariffs.V2, List.of(TestTariffs.tier(Tier.UNBOUNDED, "2.90")),
                            List.of(), Map.of())));
            assertThatThrownBy(() -> tariffs.load(new TariffBook(List.of(changed)), NOW)).isInstanceOf(TariffException.class)
                    .hasMessage("tariff residential-gas: the stored version from 2026-11-01 differs from the file's; stored"
                            + " versions never change (bills use them): add a new version");
            Tariff backdated = TestTariffs.residential().withVersions(List.of(new TariffVersion(LocalDate.of(2026, 6, 1),
                    List.of(TestTariffs.tier(Tier.UNBOUNDED, "2.90")), List.of(), Map.of())));
            assertThatThrownBy(() -> tariffs.load(new TariffBook(List.of(backdated)), NOW))
                    .hasMessage("tariff residential-gas: a new version from 2026-06-01 must start after the newest stored one (2026-11-01)");
            assertThat(tariffs.book()).isEqualTo(TestTariffs.book()); // nothing half-written

            tariffs.setVariants("A1", List.of("boiler", "large-household"), NOW);
            assertThat(tariffs.variants("A1")).containsExactly("boiler", "large-household");
            assertThat(tariffs.allVariants()).containsOnlyKeys("A1");

            JdbcBills bills = new JdbcBills(db);
            Bill oct = bill("A1", YearMonth.of(2026, 10), 1, null, line(LineKind.USAGE, 2026, 340_000, "887.40"));
            long octId = db.tx("t", c -> bills.insert(c, oct).billId());
            Bill oct2 = bill("A1", YearMonth.of(2026, 10), 2, octId, line(LineKind.USAGE, 2026, 300_000, "783.00"));
            long oct2Id = db.tx("t", c -> bills.insert(c, oct2).billId());
            db.tx("t", c -> bills.insert(c, bill("A1", YearMonth.of(2026, 9), 1, null, line(LineKind.USAGE, 2025, 7_000, "18.27"),
                    line(LineKind.FIXED, null, 0, "2.00"))));
            db.tx("t", c -> bills.insert(c, bill("A2", YearMonth.of(2026, 10), 1, null, line(LineKind.USAGE, 2026, 1_000, "2.61"))));

            List<Bill> versions = bills.versions("A1", YearMonth.of(2026, 10));
            assertThat(versions).extracting(Bill::version).containsExactly(1, 2);
            assertThat(versions.get(1).replacesBillId()).isEqualTo(octId);
            assertThat(versions.get(0).lines()).isEqualTo(oct.lines());
            assertThat(versions.get(0).total()).isEqualByComparingTo("887.40");
            assertThat(versions.get(1).createdAt()).isEqualTo(NOW);
            assertThat(db.tx("t", c -> bills.current(c, "A1", YearMonth.of(2026, 10))).orElseThrow().billId()).isEqualTo(oct2Id);
            Map<Integer, Long> nov = db.tx("t", c -> bills.positions(c, "A1", YearMonth.of(2026, 11)));
            assertThat(nov)
                    .isEqualTo(Map.of(2026, 300_000L, 2025, 7_000L)); // version 2 only; the fixed line counts in no year
            Map<Integer, Long> oct1 = db.tx("t", c -> bills.positions(c, "A1", YearMonth.of(2026, 10)));
            assertThat(oct1).isEqualTo(Map.of(2025, 7_000L));
            List<String> current = new ArrayList<>();
            bills.forEachCurrent(YearMonth.of(2026, 10), b -> current.add(b.accountId() + " v" + b.version()));
            assertThat(current).containsExactly("A1 v2", "A2 v1");
            assertThat(bills.count(YearMonth.of(2026, 10))).isEqualTo(3);
            assertThatThrownBy(() -> db.tx("t", c -> bills.insert(c, oct))).hasMessageContaining("bill"); // (account, cycle, version) once

            JdbcMeterExchanges exchanges = new JdbcMeterExchanges(db);
            MeterExchange x = new MeterExchange("M4", 20_000, "M5", 0, 1_000_000_000L, NOW, "fitter-7");
            assertThat(exchanges.save(x)).isTrue();
            assertThat(exchanges.save(x)).isFalse();
            assertThat(exchanges.into("M5", NOW, NOW.plusSeconds(1))).containsExactly(x);
        }
    }

    private static Bill bill(String account, YearMonth cycle, int version, Long replaces, BillLine... lines) {
        return new Bill(null, account, cycle, version, replaces, "test", "residential-gas", List.of("boiler"),
                LocalDate.of(2026, 9, 15), LocalDate.of(2026, 10, 14), List.of(lines), NOW);
    }

    private static int lineNo;

    private static BillLine line(LineKind kind, Integer year, long litres, String amount) {
        boolean fixed = kind == LineKind.FIXED;
        return new BillLine(++lineNo, kind, fixed ? null : "M1", LocalDate.of(2026, 9, 15), LocalDate.of(2026, 10, 14),
                TestTariffs.V1, fixed ? null : 1, year, litres, new BigDecimal(fixed ? "2.00" : "2.61"), new BigDecimal(amount),
                kind == LineKind.ESTIMATE, "explained");
    }
}
