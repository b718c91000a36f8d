package org.meterhub.engine.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.meterhub.engine.accuracy.DisputeEvent.Kind;
import org.meterhub.engine.billing.Bill;
import org.meterhub.engine.billing.BillRun;
import org.meterhub.engine.billing.Billing;
import org.meterhub.engine.billing.FixedCharge;
import org.meterhub.engine.billing.LineKind;
import org.meterhub.engine.billing.Tariff;
import org.meterhub.engine.billing.TariffBook;
import org.meterhub.engine.billing.TariffVersion;
import org.meterhub.engine.billing.Tier;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.lifecycle.GasType;
import org.meterhub.engine.lifecycle.JdbcMeterLifecycle;
import org.meterhub.engine.lifecycle.MeterRecord;
import org.meterhub.engine.lifecycle.MeterState;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The dispute worked examples of docs/accuracy.md on a real store. Each account uses 1 m³ a day from
 * 2026-09-15; tariff 2.61 CNY/m³ tier 1 + 2.00 a month, from 2026-11-01 2.80 + 2.50. Cycle 2026-10
 * (09-15..10-14): 30 m³ × 2.61 = 78.30 + 2.00 = 80.30. Cycle 2026-11: 17 m³ × 2.61 = 44.37, 14 m³ × 2.80
 * = 39.20, fixed 1.10 + 1.13: 85.80. Requests on 2026-11-20 re-bill cycles 2026-10 and 2026-11.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DisputeContract {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final YearMonth OCT = YearMonth.of(2026, 10);
    static final YearMonth NOV = YearMonth.of(2026, 11);
    static final LocalDate REQUEST = LocalDate.of(2026, 11, 20);

    private TimeSeriesStore store;
    private Billing billing;
    private SqlDatabase db;
    private Disputes disputes;
    private JdbcAccuracyTests tests;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-15T02:00:00Z"));

    abstract String url();

    void dispose() {
    }

    @BeforeAll
    void setUp() {
        store = StoreFactory.open(url());
        billing = Billing.open(store, url());
        db = SqlDatabase.open(url());
        disputes = new Disputes(db, AccuracyRules.DEFAULTS, clock);
        tests = new JdbcAccuracyTests(db);
        billing.tariffs().load(new TariffBook(List.of(new Tariff("residential-gas", Tariff.classesOf(List.of(CustomerClass.RESIDENTIAL)),
                MonthDay.of(1, 1), List.of(version(LocalDate.of(2026, 1, 1), "2.61", "2.00"), version(LocalDate.of(2026, 11, 1), "2.80", "2.50"))))),
                clock.instant());
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        for (String[] a : new String[][] {{"D-FAIL", "DF"}, {"D-PASS", "DP"}, {"D-KEEP", "DK"}}) {
            store.registerMeter(new MeterInfo(a[1], Medium.GAS, 0, at(LocalDate.of(2026, 1, 1), 0), MeterInfo.CJT188_CAPACITY_L));
            store.saveAccount(new Account(a[0], a[1], AccountState.IGNITED, CustomerClass.RESIDENTIAL, null, LocalDate.of(2026, 1, 1), clock.instant()));
            long r = 0;
            for (LocalDate d = LocalDate.of(2026, 9, 15); !d.isAfter(LocalDate.of(2026, 11, 14)); d = d.plusDays(1)) {
                readings.add(new Reading(a[1], at(d, 0), at(d, 0), r, ReadingSource.CJT188, Set.of(), 0));
                readings.add(new Reading(a[1], at(d, 1), at(d, 1), r + 1_000, ReadingSource.CJT188, Set.of(), 0));
                intervals.add(new ConsumptionInterval(a[1], at(d, 0), at(d, 1), 1_000, Set.of()));
                r += 1_000;
            }
        }
        store.append(readings, intervals);
        run(OCT);
        run(NOV);
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
    void theOriginalBills() {
        assertThat(current("D-FAIL", OCT).total()).isEqualByComparingTo("80.30");
        assertThat(current("D-FAIL", NOV).total()).isEqualByComparingTo("85.80");
    }

    @Test
    @Order(2)
    void aFailedDisputeRebillsTheTwoMonthsBeforeTheRequestAsARefund() {
        DisputeCase d = disputes.open("D-FAIL", "DF", REQUEST, false, "SPARE-1");
        assertThat(d.state()).isEqualTo(DisputeCase.State.AWAITING_TEST);
        assertThat(d.events()).extracting(e -> e.kind() + (e.amount() == null ? "" : " " + e.amount()))
                .containsExactly("REQUESTED", "DEPOSIT_PAID 300.00", "TEST_FEE_PAID 60.00", "SPARE_FITTED");
        Bill oct1 = current("D-FAIL", OCT);
        Bill nov1 = current("D-FAIL", NOV);
        long testId = tests.saveAll(AccuracyCsv.parse("df.csv", new StringReader(AccuracyVerdictTest.FAILING)), clock.instant()).get(0).testId();

        DisputeCase done = disputes.testResult(d.caseId(), testId, LocalDate.of(2026, 11, 26));

        assertThat(done.state()).isEqualTo(DisputeCase.State.CLOSED);
        assertThat(done.events()).extracting(e -> e.kind() + (e.amount() == null ? "" : " " + e.amount()))
                .containsExactly("REQUESTED", "DEPOSIT_PAID 300.00", "TEST_FEE_PAID 60.00", "SPARE_FITTED", "TEST_RESULT", "OUTSIDE_LIMITS",
                        "FEE_PAID_BY_UTILITY 60.00", "DEPOSIT_RETURNED 300.00", "SPARE_FREE", "REBILLED -3.01", "REBILLED -3.22", "CLOSED");
        // 2026-10: 30.000 m3 metered, 30000 / 1.04 = 28846 L true: -1.154 m3 x 2.61 = -3.01194 -> -3.01; 80.30 -> 77.29.
        Bill oct2 = current("D-FAIL", OCT);
        assertThat(oct2.version()).isEqualTo(2);
        assertThat(oct2.replacesBillId()).isEqualTo(oct1.billId());
        assertThat(oct2.total()).isEqualByComparingTo("77.29");
        assertThat(adjustments(oct2)).containsExactly("-1154 2.61 -3.01 2026-01-01 1");
        // 2026-11: 17000 -> 16346 L (-654 x 2.61 = -1.70694 -> -1.71); 14000 -> 13462 L (-538 x 2.80 = -1.5064 -> -1.51); 85.80 -> 82.58.
        Bill nov2 = current("D-FAIL", NOV);
        assertThat(nov2.replacesBillId()).isEqualTo(nov1.billId());
        assertThat(nov2.total()).isEqualByComparingTo("82.58");
        assertThat(adjustments(nov2)).containsExactly("-654 2.61 -1.71 2026-01-01 1", "-538 2.80 -1.51 2026-11-01 1");
        assertThat(nov2.lines().get(4).explanation()).startsWith("accuracy dispute case " + d.caseId() + ": meter DF measured +4.000 %")
                .contains("metered 17.000 m3, true 16.346 m3 (true = metered / (1 + error)), -0.654 m3 x 2.61").endsWith("= -1.71 CNY refund");
        // The originals are unchanged, and a later bill run keeps the adjustments (nothing to re-bill).
        assertThat(billing.bills().versions("D-FAIL", OCT).get(0).total()).isEqualByComparingTo("80.30");
        BillRun.Report r = billing.run(clock).run(NOV, false, true, new BillRun.Listener() { });
        assertThat(r.count(BillRun.Status.UNCHANGED)).isEqualTo(3);
    }

    @Test
    @Order(3)
    void aPassedDisputeChargesTheFeeAndReturnsTheDepositWhenTheOriginalIsRefitted() {
        DisputeCase d = disputes.open("D-PASS", "DP", REQUEST, false, "SPARE-2");
        long testId = tests.saveAll(AccuracyCsv.parse("dp.csv", new StringReader(AccuracyVerdictTest.PASSING)), clock.instant()).get(0).testId();
        DisputeCase tested = disputes.testResult(d.caseId(), testId, LocalDate.of(2026, 11, 26));
        assertThat(tested.state()).isEqualTo(DisputeCase.State.AWAITING_METER_CHOICE);
        DisputeCase done = disputes.refitOriginal(d.caseId(), LocalDate.of(2026, 11, 27));
        assertThat(done.events()).extracting(e -> e.kind() + (e.amount() == null ? "" : " " + e.amount()))
                .containsExactly("REQUESTED", "DEPOSIT_PAID 300.00", "TEST_FEE_PAID 60.00", "SPARE_FITTED", "TEST_RESULT", "WITHIN_LIMITS",
                        "FEE_CHARGED_TO_CUSTOMER 60.00", "ORIGINAL_REFITTED", "DEPOSIT_RETURNED 300.00", "CLOSED");
        assertThat(done.events().get(4).detail()).contains("worst point 3 at 6 m3/h (Qt<=Q<=Qmax): error +1.200 %");
        assertThat(billing.bills().versions("D-PASS", OCT)).hasSize(1);
        assertThat(billing.bills().versions("D-PASS", NOV)).hasSize(1);
    }

    @Test
    @Order(4)
    void aCustomerWhoKeepsTheSpareForfeitsTheDeposit() {
        DisputeCase d = disputes.open("D-KEEP", "DK", REQUEST, false, "SPARE-3");
        long testId = tests.saveAll(AccuracyCsv.parse("dk.csv", new StringReader(AccuracyVerdictTest.PASSING.replace("DP,", "DK,"))),
                clock.instant()).get(0).testId();
        disputes.testResult(d.caseId(), testId, LocalDate.of(2026, 11, 26));
        DisputeCase done = disputes.keepSpare(d.caseId(), LocalDate.of(2026, 11, 27));
        assertThat(done.events()).extracting(DisputeEvent::kind).endsWith(Kind.SPARE_KEPT, Kind.DEPOSIT_FORFEITED, Kind.CLOSED);
        assertThat(done.events().get(done.events().size() - 2).amount()).isEqualByComparingTo("300.00");
    }

    @Test
    @Order(5)
    void wrongStepsAreRefusedAndWriteNothing() {
        assertThatThrownBy(() -> disputes.refitOriginal(1, LocalDate.of(2026, 12, 1))).isInstanceOf(AccuracyException.class)
                .hasMessage("dispute case 1 is CLOSED: refitting the original meter needs AWAITING_METER_CHOICE");
        DisputeCase d = disputes.open("D-PASS", "DP", LocalDate.of(2026, 12, 20), true, "NEW-1");
        assertThat(d.events()).extracting(DisputeEvent::kind).containsExactly(Kind.REQUESTED, Kind.NEW_METER_FITTED);
        assertThatThrownBy(() -> disputes.open("D-PASS", "DP", LocalDate.of(2026, 12, 21), false, "SPARE-9"))
                .hasMessage("meter DP already has an open dispute (case " + d.caseId() + ", AWAITING_TEST)");
        long dfTest = tests.forMeter("DF").get(0).testId();
        assertThatThrownBy(() -> disputes.testResult(d.caseId(), dfTest, LocalDate.of(2026, 12, 22)))
                .hasMessage("test " + dfTest + " is of meter DF, not the disputed meter DP");
        assertThat(disputes.cases().find(d.caseId()).orElseThrow().events()).hasSize(2);
        assertThatThrownBy(() -> tests.saveAll(AccuracyCsv.parse("again.csv", new StringReader(AccuracyVerdictTest.FAILING)), clock.instant()))
                .hasMessage("again.csv:2: meter DF already has a test on 2026-11-25 at city-bureau-bench-2; stored tests never change (nothing imported)");
        assertThat(tests.forMeter("DF")).hasSize(1);
    }

    @Test
    @Order(6)
    void lifecycleRecordsDecidePastServiceLifeAndRefuseARefurbishedReplacement() {
        JdbcMeterLifecycle meters = new JdbcMeterLifecycle(db);
        meters.add(new MeterRecord("OLD-1", "Goldcard", "G2.5", "SN1", LocalDate.of(2015, 3, 1), LocalDate.of(2015, 4, 1), GasType.NATURAL_GAS,
                false, List.of()), LocalDate.of(2015, 4, 1), clock.instant());
        meters.add(new MeterRecord("REF-1", "Goldcard", "G2.5", "SN2", LocalDate.of(2024, 3, 1), LocalDate.of(2024, 4, 1), GasType.NATURAL_GAS,
                true, List.of()), LocalDate.of(2024, 4, 1), clock.instant());
        assertThatThrownBy(() -> disputes.open("D-OLD", "OLD-1", REQUEST, false, "SPARE-4")).isInstanceOf(AccuracyException.class)
                .hasMessage("meter OLD-1 is past its service life (ended 2025-03-01): open the case with --past-service-life --new-meter M");
        assertThatThrownBy(() -> disputes.open("D-OLD", "OLD-1", REQUEST, true, "REF-1"))
                .hasMessage("meter REF-1 is refurbished; a disputed meter is replaced by a new meter");
        assertThat(disputes.cases().cases("D-OLD")).isEmpty();
        assertThat(disputes.open("D-OLD", "OLD-1", REQUEST, true, "NEW-2").events()).extracting(DisputeEvent::kind)
                .containsExactly(Kind.REQUESTED, Kind.NEW_METER_FITTED);
    }

    @Test
    @Order(7)
    void pastServiceLifeOutsideTheLimitsHasNoDepositOrFeeAndReBillsWhatThereIs() {
        DisputeCase d = disputes.cases().cases("OLD-1").get(0);
        long testId = tests.saveAll(AccuracyCsv.parse("old.csv", new StringReader(AccuracyVerdictTest.FAILING.replace("DF,", "OLD-1,"))),
                clock.instant()).get(0).testId();
        DisputeCase done = disputes.testResult(d.caseId(), testId, LocalDate.of(2026, 11, 26));
        assertThat(done.events()).extracting(e -> e.kind() + (e.amount() == null ? "" : " " + e.amount()))
                .containsExactly("REQUESTED", "NEW_METER_FITTED", "TEST_RESULT", "OUTSIDE_LIMITS", "REBILLED 0.00", "REBILLED 0.00", "CLOSED");
        assertThat(done.events().get(4).detail()).isEqualTo("cycle 2026-10: no bill, nothing to re-bill");
    }

    @Test
    @Order(8)
    void aDisputeRecordsBothMetersStateChangesAsNewEvents() {
        JdbcMeterLifecycle meters = new JdbcMeterLifecycle(db);
        for (String m : List.of("LC-1", "LC-SPARE")) {
            meters.add(new MeterRecord(m, "Goldcard", "G2.5", "SN-" + m, LocalDate.of(2025, 3, 1), LocalDate.of(2025, 4, 1), GasType.NATURAL_GAS,
                    false, List.of()), LocalDate.of(2025, 4, 1), clock.instant());
        }
        meters.change("LC-1", LocalDate.of(2025, 5, 1), MeterState.ISSUED, "issued", clock.instant());
        meters.change("LC-1", LocalDate.of(2025, 5, 2), MeterState.INSTALLED, "account D-LC", clock.instant());
        DisputeCase d = disputes.open("D-LC", "LC-1", REQUEST, false, "LC-SPARE");
        long testId = tests.saveAll(AccuracyCsv.parse("lc.csv", new StringReader(AccuracyVerdictTest.PASSING.replace("DP,", "LC-1,"))),
                clock.instant()).get(0).testId();
        disputes.testResult(d.caseId(), testId, LocalDate.of(2026, 11, 26));
        disputes.refitOriginal(d.caseId(), LocalDate.of(2026, 11, 27));

        assertThat(history(meters, "LC-1")).containsExactly("2025-04-01 IN_STOCK", "2025-05-01 ISSUED", "2025-05-02 INSTALLED",
                "2026-11-20 REMOVED dispute case " + d.caseId() + ": removed for its test",
                "2026-11-20 UNDER_TEST dispute case " + d.caseId() + ": removed for its test",
                "2026-11-27 INSTALLED dispute case " + d.caseId() + ": refitted after its test (within the limits)");
        assertThat(history(meters, "LC-SPARE")).containsExactly("2025-04-01 IN_STOCK",
                "2026-11-20 ISSUED dispute case " + d.caseId() + ": fitted as the spare for LC-1",
                "2026-11-20 INSTALLED dispute case " + d.caseId() + ": fitted as the spare for LC-1",
                "2026-11-27 REMOVED dispute case " + d.caseId() + ": spare removed, the original refitted",
                "2026-11-27 IN_STOCK dispute case " + d.caseId() + ": spare removed, the original refitted");
        // The spare has been installed: back in stock it counts as refurbished, so a later dispute cannot fit it.
        assertThat(meters.find("LC-SPARE").orElseThrow().isNew()).isFalse();
        // A meter whose state cannot follow (issued, never fitted) is refused, and nothing of the step is written.
        meters.add(new MeterRecord("LC-2", "Goldcard", "G2.5", "SN-LC-2", LocalDate.of(2025, 3, 1), LocalDate.of(2025, 4, 1), GasType.NATURAL_GAS,
                false, List.of()), LocalDate.of(2025, 4, 1), clock.instant());
        meters.change("LC-2", LocalDate.of(2025, 5, 1), MeterState.ISSUED, "issued", clock.instant());
        assertThatThrownBy(() -> disputes.open("D-LC2", "LC-2", LocalDate.of(2026, 11, 28), false, "SPARE-LC2")).isInstanceOf(AccuracyException.class)
                .hasMessageStartingWith("meter LC-2 is ISSUED: it cannot go to UNDER_TEST (dispute case ");
        assertThat(disputes.cases().cases("D-LC2")).isEmpty();
        assertThat(meters.find("LC-2").orElseThrow().events()).hasSize(2);
    }

    private static List<String> history(JdbcMeterLifecycle meters, String id) {
        return meters.find(id).orElseThrow().events().stream()
                .map(e -> e.day() + " " + e.state() + (e.detail().startsWith("dispute") ? " " + e.detail() : "")).toList();
    }

    private static List<String> adjustments(Bill b) {
        return b.lines().stream().filter(l -> l.kind() == LineKind.ADJUSTMENT)
                .map(l -> l.volumeL() + " " + l.unitPrice() + " " + l.amount() + " " + l.tariffVersion() + " " + l.tier()).toList();
    }

    private void run(YearMonth cycle) {
        billing.run(clock).run(cycle, false, false, new BillRun.Listener() { });
    }

    private Bill current(String account, YearMonth cycle) {
        List<Bill> v = billing.bills().versions(account, cycle);
        return v.get(v.size() - 1);
    }

    private static TariffVersion version(LocalDate from, String price, String monthly) {
        return new TariffVersion(from, List.of(new Tier(Tier.UNBOUNDED, new BigDecimal(price))),
                List.of(new FixedCharge("meter service", new BigDecimal(monthly))), Map.of());
    }

    static Instant at(LocalDate d, int hour) {
        return LocalDateTime.of(d, LocalTime.of(hour, 0)).atZone(ZONE).toInstant();
    }

}
