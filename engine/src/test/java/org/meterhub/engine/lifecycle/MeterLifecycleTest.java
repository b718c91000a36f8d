package org.meterhub.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/** docs/accuracy.md's lifecycle examples on a SQLite store, issued on 2026-12-07. */
class MeterLifecycleTest {
    static final LocalDate DAY = LocalDate.of(2026, 12, 7);

    @TempDir
    Path dir;
    private TimeSeriesStore store;
    private SqlDatabase db;
    private JdbcMeterLifecycle meters;
    private MeterLifecycle life;
    private final TestClock clock = new TestClock(Instant.parse("2026-12-07T02:00:00Z"));

    @BeforeEach
    void open() {
        String url = "jdbc:sqlite:" + dir.resolve("m.db");
        store = StoreFactory.open(url);
        db = SqlDatabase.open(url);
        meters = new JdbcMeterLifecycle(db);
        life = new MeterLifecycle(meters, LifecycleRules.DEFAULTS, clock);
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    @Test
    void anLpgMeterOlderThanSixYearsIsRefusedAtIssue() {
        add("L1", GasType.LPG, "2020-03-01", "2020-05-10", false);
        assertThatThrownBy(() -> life.issue(GasType.LPG, IssueReason.ROUTINE, DAY, "account A7"))
                .isInstanceOf(LifecycleException.class)
                .hasMessage("no lpg meter in stock can be issued for routine: L1 is an LPG meter older than 6 years (from 2020-03-01)");
        assertThat(meters.find("L1").orElseThrow().state()).isEqualTo(MeterState.IN_STOCK);
    }

    @Test
    void stockIsIssuedOldestFirstVerificationFirstAndANewMeterWhereTheSeedDemandsOne() {
        add("L1", GasType.LPG, "2020-03-01", "2020-05-10", false);
        add("L3", GasType.LPG, "2022-11-01", "2023-01-10", false);
        add("L2", GasType.LPG, "2021-06-01", "2021-07-15", false);
        add("L4", GasType.LPG, "2021-09-01", "2022-01-01", true);
        add("N9", GasType.NATURAL_GAS, "2019-01-01", "2019-02-01", false);

        MeterLifecycle.Issued routine = life.issue(GasType.LPG, IssueReason.ROUTINE, DAY, "account A7");
        assertThat(routine.meter().meterId()).isEqualTo("L2");
        assertThat(routine.meter().state()).isEqualTo(MeterState.ISSUED);
        assertThat(routine.passedOver()).extracting(MeterLifecycle.Refusal::meterId).containsExactly("L1");

        MeterLifecycle.Issued dispute = life.issue(GasType.LPG, IssueReason.DISPUTE, DAY, "dispute case 3");
        assertThat(dispute.meter().meterId()).isEqualTo("L3");
        assertThat(dispute.passedOver()).extracting(r -> r.meterId() + " " + r.reason())
                .containsExactly("L1 is an LPG meter older than 6 years (from 2020-03-01)", "L4 is refurbished; dispute needs a new meter");
        // A meter that was installed before is refurbished once back in stock.
        meters.change("L2", DAY, MeterState.INSTALLED, "account A7", clock.instant());
        meters.change("L2", DAY, MeterState.REMOVED, "account A7 left", clock.instant());
        meters.change("L2", DAY, MeterState.IN_STOCK, "cleaned", clock.instant());
        assertThat(life.refusal(meters.find("L2").orElseThrow(), IssueReason.OVERDRAFT, DAY)).isEqualTo("is refurbished; overdraft needs a new meter");
        assertThat(life.refusal(meters.find("L2").orElseThrow(), IssueReason.ROUTINE, DAY)).isNull();
    }

    @Test
    void dueListAndScrapReview() {
        add("N1", GasType.NATURAL_GAS, "2016-05-01", "2016-06-01", false);
        meters.change("N1", LocalDate.of(2016, 7, 1), MeterState.ISSUED, "", clock.instant());
        meters.change("N1", LocalDate.of(2016, 7, 1), MeterState.INSTALLED, "account A1", clock.instant());
        add("N2", GasType.NATURAL_GAS, "2025-07-01", "2025-08-01", false);
        meters.change("N2", LocalDate.of(2025, 9, 1), MeterState.ISSUED, "", clock.instant());
        meters.change("N2", LocalDate.of(2025, 9, 1), MeterState.INSTALLED, "account A2", clock.instant());
        meters.change("N2", LocalDate.of(2026, 11, 30), MeterState.REMOVED, "stopped registering", clock.instant());
        add("L1", GasType.LPG, "2020-03-01", "2020-05-10", false);
        add("N3", GasType.NATURAL_GAS, "2024-01-01", "2024-02-01", false);

        List<MeterLifecycle.Due> due = life.due(DAY);
        assertThat(due).extracting(d -> d.meter().meterId() + " " + d.kind()).containsExactly("L1 SCRAP_REVIEW", "N1 REPLACE", "N2 WARRANTY_REPAIR");
        assertThat(due.get(1).why()).isEqualTo("service life 10 years from 2016-05-01 ended 2026-05-01; installed since 2016-07-01");
        assertThat(due.get(2).why()).startsWith("within the maker's warranty (2 years from first verification 2025-08-01, until 2027-08-01)");
        assertThat(life.nextScrapReview(DAY)).isEqualTo(LocalDate.of(2026, 12, 26));
        assertThat(life.nextScrapReview(LocalDate.of(2026, 12, 27))).isEqualTo(LocalDate.of(2027, 1, 26));
    }

    @Test
    void badStepsAreOneLine() {
        add("N3", GasType.NATURAL_GAS, "2024-01-01", "2024-02-01", false);
        assertThatThrownBy(() -> meters.change("N3", DAY, MeterState.INSTALLED, "", clock.instant()))
                .hasMessage("meter N3 is IN_STOCK: it can go to [ISSUED, UNDER_TEST, SCRAPPED], not INSTALLED");
        assertThatThrownBy(() -> add("N3", GasType.NATURAL_GAS, "2024-01-01", "2024-02-01", false))
                .hasMessage("meter N3 is already recorded; records never change");
        assertThatThrownBy(() -> add("N4", GasType.NATURAL_GAS, "2024-03-01", "2024-02-01", false))
                .hasMessage("meter N4: first verification 2024-02-01 is before production 2024-03-01");
    }

    private void add(String id, GasType g, String produced, String verified, boolean refurbished) {
        meters.add(new MeterRecord(id, "Goldcard", "G2.5", "SN-" + id, LocalDate.parse(produced), LocalDate.parse(verified), g, refurbished,
                List.of()), LocalDate.parse(verified), clock.instant());
    }
}
