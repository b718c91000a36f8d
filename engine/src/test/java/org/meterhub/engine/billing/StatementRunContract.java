package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.engine.prepaid.JdbcLedgerStateStore;
import org.meterhub.engine.prepaid.LedgerState;
import org.meterhub.engine.prepaid.Purchase;
import org.meterhub.engine.prepaid.PurchaseStore;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The prepaid statement example of docs/billing.md: an IC-card account (money meter, CNY) with the
 * R-TIER consumption — 340 m³ on 1 Oct (statement 2026-10), then 1 m³ a day — so its November
 * statement crosses tier 1 at the position its own earlier statement left; the meter reports
 * 200.00 CNY before the period, a 100.00 top-up on 1 Nov, 204.00 at the end: it deducted 96.00,
 * the tariff engine prices the gas at 95.05 (26.10 + 21.91 + 47.04), reconciliation +0.95 CNY.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class StatementRunContract {
    static final YearMonth OCT = YearMonth.of(2026, 10);
    static final YearMonth NOV = YearMonth.of(2026, 11);

    private TimeSeriesStore store;
    private Billing billing;
    private SqlDatabase db;
    private PurchaseStore purchases;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-15T02:00:00Z"));

    abstract String url();

    void dispose() {
    }

    @BeforeAll
    void setUp() {
        store = StoreFactory.open(url());
        billing = Billing.open(store, url());
        db = SqlDatabase.open(url());
        purchases = new PurchaseStore(db);
        billing.tariffs().load(TestTariffs.book(), clock.instant());
        store.registerMeter(new MeterInfo("IC1", Medium.GAS, 0, BillRunContract.at(2026, 1, 1, 0), MeterInfo.CJT188_CAPACITY_L));
        store.saveAccount(new Account("P-TIER", "IC1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                LocalDate.of(2026, 1, 1), clock.instant()));
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        long register = 0;
        List<LocalDate> days = new ArrayList<>(List.of(LocalDate.of(2026, 10, 1)));
        for (LocalDate d = LocalDate.of(2026, 10, 15); !d.isAfter(LocalDate.of(2026, 11, 14)); d = d.plusDays(1)) days.add(d);
        for (LocalDate d : days) {
            long litres = d.getDayOfMonth() == 1 && d.getMonthValue() == 10 ? 340_000 : 1_000;
            Instant t0 = BillRunContract.at(d, 0);
            Instant t1 = BillRunContract.at(d, 1);
            readings.add(new Reading("IC1", t0, t0, register, ReadingSource.CJT188, Set.of(), 0));
            readings.add(new Reading("IC1", t1, t1, register + litres, ReadingSource.CJT188, Set.of(), 0));
            intervals.add(new ConsumptionInterval("IC1", t0, t1, litres, Set.of()));
            register += litres;
        }
        store.append(readings, intervals);
        JdbcLedgerStateStore ledger = new JdbcLedgerStateStore(db);
        report(ledger, BillRunContract.at(2026, 10, 14, 23), 340_000, "200.00");
        purchases.addAll(List.of(new Purchase("CARD-1", "IC1", BillRunContract.at(2026, 11, 1, 10), new BigDecimal("100.00"),
                BalanceUnit.CNY)));
        report(ledger, BillRunContract.at(2026, 11, 14, 23), 371_000, "204.00");
    }

    private static void report(JdbcLedgerStateStore ledger, Instant t, long register, String balance) {
        ledger.save(new LedgerState("IC1", BalanceUnit.CNY, BillRunContract.at(2026, 9, 1, 0), 0, new BigDecimal("500.00"), t,
                register, new BigDecimal(balance), null, BigDecimal.ZERO, false, false, false, false));
    }

    @AfterAll
    void tearDown() {
        if (db != null) db.close();
        if (billing != null) billing.close();
        if (store != null) store.close();
        dispose();
    }

    @Test
    @Order(1)
    void theBillRunLeavesPrepaidAccountsToTheStatementRun() {
        BillRun.Report r = billing.run(clock).run(NOV, false, false, new BillRun.Listener() { });
        assertThat(r.count(BillRun.Status.PREPAID)).isEqualTo(1);
        assertThat(billing.bills().count(NOV)).isZero();
        assertThat(billing.run(clock).perAccountQueries().run(NOV, true, false, new BillRun.Listener() { })
                .count(BillRun.Status.PREPAID)).isEqualTo(1);
    }

    @Test
    @Order(2)
    void novemberStatementCountsThePrepaidVolumeOfOctoberInTheTierPosition() {
        assertThat(run(OCT, false).count(StatementRun.Status.NEW)).isEqualTo(1);
        PrepaidStatement oct = current(OCT);
        assertThat(oct.priced().total()).isEqualByComparingTo("889.40");   // 340 x 2.61 + 2.00
        assertThat(oct.opening()).isNull();                                  // no report before 2026-09-15
        assertThat(oct.reconciliation()).isNull();

        assertThat(run(NOV, false).count(StatementRun.Status.NEW)).isEqualTo(1);
        PrepaidStatement nov = current(NOV);
        assertThat(BillRunContract.amounts(nov.priced())).containsExactly("USAGE 10000 26.10", "USAGE 7000 21.91",
                "USAGE 14000 47.04", "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(nov.priced().total()).isEqualByComparingTo("97.28");
        assertThat(nov.charged()).isEqualByComparingTo("95.05");
        assertThat(nov.opening().balance()).isEqualByComparingTo("200.00");
        assertThat(nov.purchased()).isEqualByComparingTo("100.00");
        assertThat(nov.purchases()).isEqualTo(1);
        assertThat(nov.closing().balance()).isEqualByComparingTo("204.00");
        assertThat(nov.deducted()).isEqualByComparingTo("96.00");
        assertThat(nov.reconciliation()).isEqualByComparingTo("0.95");
        assertThat(nov.meteredL()).isEqualTo(31_000);
    }

    @Test
    @Order(3)
    void secondRunAddsNothingAndATopUpFoundLaterIsARestatement() {
        assertThat(run(NOV, false).count(StatementRun.Status.UNCHANGED)).isEqualTo(1);
        purchases.addAll(List.of(new Purchase("CARD-2", "IC1", BillRunContract.at(2026, 11, 10, 9), new BigDecimal("50.00"),
                BalanceUnit.CNY)));
        assertThat(run(NOV, false).count(StatementRun.Status.CHANGED)).isEqualTo(1);
        assertThat(billing.statements().versions("P-TIER", NOV)).hasSize(1);
        assertThat(run(NOV, true).count(StatementRun.Status.RESTATED)).isEqualTo(1);
        List<PrepaidStatement> v = billing.statements().versions("P-TIER", NOV);
        assertThat(v).hasSize(2);
        assertThat(v.get(1).priced().replacesBillId()).isEqualTo(v.get(0).priced().billId());
        assertThat(v.get(0).reconciliation()).isEqualByComparingTo("0.95");     // never edited
        assertThat(v.get(1).purchased()).isEqualByComparingTo("150.00");
        assertThat(v.get(1).reconciliation()).isEqualByComparingTo("50.95");
        assertThat(run(NOV, true).count(StatementRun.Status.UNCHANGED)).isEqualTo(1);
    }

    /**
     * Tier position across prepaid and postpaid (docs/billing.md, example 8): P-POST was prepaid on IC-card
     * meter IC2 and used 340 m³ on 1 Oct (statement 2026-10: 340 × 2.61 + 2.00 = 889.40); on 15 Oct it got
     * an ordinary meter, P1, and uses 1 m³ a day. Its first bill, 2026-11, starts at the 340 m³ its
     * statement charged in tariff year 2026, so it is example 1's bill: 10 m³ × 2.61 = 26.10 (to 350 m³),
     * 7 m³ × 3.13 = 21.91, 14 m³ × 3.36 = 47.04, fixed 1.10 + 1.13, total 97.28 — not 85.80, the bill from
     * position 0 (31 m³ all in tier 1).
     */
    @Test
    @Order(4)
    void aBillsTierPositionCountsTheEarlierPrepaidStatements() {
        store.registerMeter(new MeterInfo("IC2", Medium.GAS, 0, BillRunContract.at(2026, 1, 1, 0), MeterInfo.CJT188_CAPACITY_L));
        store.saveAccount(new Account("P-POST", "IC2", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                LocalDate.of(2026, 1, 1), clock.instant()));
        Instant t0 = BillRunContract.at(2026, 10, 1, 0);
        Instant t1 = BillRunContract.at(2026, 10, 1, 1);
        store.append(List.of(new Reading("IC2", t0, t0, 0, ReadingSource.CJT188, Set.of(), 0),
                new Reading("IC2", t1, t1, 340_000, ReadingSource.CJT188, Set.of(), 0)),
                List.of(new ConsumptionInterval("IC2", t0, t1, 340_000, Set.of())));
        new JdbcLedgerStateStore(db).save(new LedgerState("IC2", BalanceUnit.M3, BillRunContract.at(2026, 9, 1, 0), 0,
                new BigDecimal("500.000"), t1, 340_000, new BigDecimal("160.000"), null, BigDecimal.ZERO, false, false, false,
                false));
        assertThat(run(OCT, false).count(StatementRun.Status.NEW)).isEqualTo(1);
        assertThat(billing.statements().versions("P-POST", OCT).get(0).priced().total()).isEqualByComparingTo("889.40");

        store.registerMeter(new MeterInfo("P1", Medium.GAS, 0, BillRunContract.at(2026, 10, 15, 0), MeterInfo.CJT188_CAPACITY_L));
        store.saveAccount(new Account("P-POST", "P1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                LocalDate.of(2026, 1, 1), clock.instant()));
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        long register = 0;
        for (LocalDate d = LocalDate.of(2026, 10, 15); !d.isAfter(LocalDate.of(2026, 11, 14)); d = d.plusDays(1)) {
            Instant a = BillRunContract.at(d, 0);
            Instant b = BillRunContract.at(d, 1);
            readings.add(new Reading("P1", a, a, register, ReadingSource.CJT188, Set.of(), 0));
            readings.add(new Reading("P1", b, b, register + 1_000, ReadingSource.CJT188, Set.of(), 0));
            intervals.add(new ConsumptionInterval("P1", a, b, 1_000, Set.of()));
            register += 1_000;
        }
        store.append(readings, intervals);

        List<Bill> perAccount = new ArrayList<>();
        billing.run(clock).perAccountQueries().run(NOV, true, false, new BillRun.Listener() {
            @Override
            public void outcome(BillRun.Outcome o) {
                if (o.accountId().equals("P-POST")) perAccount.add(o.bill().orElseThrow());
            }
        });
        BillRun.Report r = billing.run(clock).run(NOV, false, false, new BillRun.Listener() { });
        assertThat(r.count(BillRun.Status.NEW)).isEqualTo(1);
        assertThat(r.count(BillRun.Status.PREPAID)).isEqualTo(1); // P-TIER stays on its IC card
        Bill bill = billing.bills().versions("P-POST", NOV).get(0);
        for (Bill b : List.of(bill, perAccount.get(0))) {
            assertThat(BillRunContract.amounts(b)).containsExactly("USAGE 10000 26.10", "USAGE 7000 21.91",
                    "USAGE 14000 47.04", "FIXED 0 1.10", "FIXED 0 1.13");
            assertThat(b.total()).isEqualByComparingTo("97.28");
        }
        assertThat(bill.lines().get(0).explanation()).contains("tariff year 2026 position 340.000 -> 350.000 m3");
    }

    private StatementRun.Report run(YearMonth cycle, boolean restate) {
        return billing.statementRun(clock).run(cycle, false, restate, o -> { });
    }

    private PrepaidStatement current(YearMonth cycle) {
        List<PrepaidStatement> v = billing.statements().versions("P-TIER", cycle);
        assertThat(v).isNotEmpty();
        return v.get(v.size() - 1);
    }
}
