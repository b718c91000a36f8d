package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
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
import org.meterhub.engine.consumption.IntervalCorrection;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.consumption.MeterExchange;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimateRetirement;
import org.meterhub.engine.estimation.EstimationMethod;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The worked examples of docs/billing.md on a real store: every amount below is computed by hand
 * there. Cycle 2026-10 bills 2026-09-15..2026-10-14, cycle 2026-11 bills 2026-10-15..2026-11-14
 * (Asia/Shanghai). Tariff: tiers 0-350 / 350-500 / above 500 m³ a year at 2.61 / 3.13 / 3.92 CNY,
 * meter service 2.00 a month; from 2026-11-01 2.80 / 3.36 / 4.20 and 2.50.
 *
 * <p>Daily consumption is stored as one interval [day 00:00, 01:00) with readings at 00:00 and
 * 01:00 local, so each billing day's rollup is exactly the day's volume.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class BillRunContract {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final YearMonth OCT = YearMonth.of(2026, 10);
    static final YearMonth NOV = YearMonth.of(2026, 11);

    private TimeSeriesStore store;
    Billing billing; // BillRunSqliteTest's checkpoint test
    private SqlDatabase rules;
    final TestClock clock = new TestClock(Instant.parse("2026-11-15T02:00:00Z"));
    private final List<Reading> readings = new ArrayList<>();
    private final List<ConsumptionInterval> intervals = new ArrayList<>();

    abstract String url();

    @BeforeAll
    void setUp() {
        store = StoreFactory.open(url());
        billing = Billing.open(store, url());
        rules = SqlDatabase.open(url());
        billing.tariffs().load(TestTariffs.book(), clock.instant());

        // Tier threshold: 340 m3 on 1 Oct (billed in 2026-10), then 1 m3 a day.
        account("R-TIER", "M1");
        day("M1", LocalDate.of(2026, 10, 1), 340_000);
        daily("M1", LocalDate.of(2026, 10, 15), LocalDate.of(2026, 11, 14), 1_000);
        // Price change only: 1 m3 a day from 15 Oct.
        account("R-PRICE", "M2");
        daily("M2", LocalDate.of(2026, 10, 15), LocalDate.of(2026, 11, 14), 1_000);
        // Boiler household: 1840 m3 on 1 Oct, then 2 m3 a day.
        account("R-BOILER", "M3");
        billing.tariffs().setVariants("R-BOILER", List.of("boiler"), clock.instant());
        day("M3", LocalDate.of(2026, 10, 1), 1_840_000);
        daily("M3", LocalDate.of(2026, 10, 15), LocalDate.of(2026, 11, 14), 2_000);
        // Meter exchange on 3 Nov 10:00: old M4 1 m3 a day to 3 Nov, new M5 0.5 m3 a day from 3 Nov.
        account("R-EXCH", "M5");
        store.registerMeter(new MeterInfo("M4", Medium.GAS, 0, at(2026, 1, 1, 0), MeterInfo.CJT188_CAPACITY_L));
        daily("M4", LocalDate.of(2026, 10, 15), LocalDate.of(2026, 11, 3), 1_000);
        daily("M5", LocalDate.of(2026, 11, 3), LocalDate.of(2026, 11, 14), 500);
        billing.exchanges().save(new MeterExchange("M4", 20_000, "M5", 0, MeterInfo.CJT188_CAPACITY_L,
                at(2026, 11, 3, 10), "fitter-7"));
        // Estimate then true-up: read to 20 Sep, estimated for 2026-10 (25 m3), read again from 20 Oct;
        // the gap 21 Sep..19 Oct turned out to be 1.2 m3 a day.
        account("R-EST", "M6");
        daily("M6", LocalDate.of(2026, 9, 15), LocalDate.of(2026, 9, 20), 1_000);
        for (LocalDate d = LocalDate.of(2026, 9, 21); d.isBefore(LocalDate.of(2026, 10, 20)); d = d.plusDays(1)) {
            intervals.add(new ConsumptionInterval("M6", at(d, 0), at(d, 1), 1_200, Set.of()));
        }
        daily("M6", LocalDate.of(2026, 10, 20), LocalDate.of(2026, 11, 14), 1_000);
        // Correction from a late reading: 2 m3 on 20 Oct, corrected to 2.6 m3.
        account("R-CORR", "M7");
        daily("M7", LocalDate.of(2026, 10, 15), LocalDate.of(2026, 11, 14), 1_000);
        intervals.removeIf(i -> i.meterId().equals("M7") && i.start().equals(at(LocalDate.of(2026, 10, 20), 0)));
        intervals.add(new ConsumptionInterval("M7", at(LocalDate.of(2026, 10, 20), 0), at(LocalDate.of(2026, 10, 20), 1), 2_000, Set.of()));
        // Estimate retired by a later real reading: 1 m3 a day throughout; estimated early in the 2026-11
        // window (25 m3), then read in the same window: the estimate is retired and the reading billed.
        account("R-RET", "M8");
        daily("M8", LocalDate.of(2026, 9, 15), LocalDate.of(2026, 11, 14), 1_000);
        // What the store holds before the October bill run: M6 stops at 20 Sep 01:00.
        List<Reading> later = readings.stream().filter(r -> r.meterId().equals("M6") && r.time().isAfter(at(2026, 9, 20, 1))).toList();
        List<ConsumptionInterval> laterI = intervals.stream().filter(i -> i.meterId().equals("M6") && i.start().isAfter(at(2026, 9, 20, 0))).toList();
        readings.removeAll(later);
        intervals.removeAll(laterI);
        store.append(readings, intervals);
        readings.clear();
        intervals.clear();
        readings.addAll(later);
        intervals.addAll(laterI);
        Instant oct20 = at(LocalDate.of(2026, 10, 20), 0);
        new JdbcCorrectionRepository(rules).save(new IntervalCorrection(1, "M7", oct20, oct20.plusSeconds(3600),
                List.of(new ConsumptionInterval("M7", oct20, oct20.plusSeconds(3600), 2_600, Set.of())),
                "late reading 2026-10-20T00:30 (CJT188)", clock.instant()));
        billing.estimates().save(new Estimate("R-EST", "M6", OCT, 25_000, register("M6", at(2026, 9, 20, 1)), 0,
                EstimationMethod.LAST_MONTH_DAILY_AVERAGE, false, "1.000 m3 a day over 25 days", clock.instant()));
        billing.estimates().save(new Estimate("R-RET", "M8", NOV, 25_000, 30_000, 55_000,
                EstimationMethod.LAST_MONTH_DAILY_AVERAGE, false, "1.000 m3 a day over 25 days", clock.instant()));
        billing.estimates().save(new EstimateRetirement("R-RET", NOV, "M8", at(2026, 11, 14, 1), 61_000,
                "real reading in the window after the estimate", clock.instant()));
    }

    private long register(String meter, Instant t) {
        return store.readings(meter, t, t.plusSeconds(1)).get(0).volumeL();
    }

    @AfterAll
    void tearDown() {
        if (rules != null) rules.close();
        if (billing != null) billing.close();
        if (store != null) store.close();
        dispose();
    }

    void dispose() {
    }

    @Test
    @Order(1)
    void october() {
        BillRun.Report r = run(OCT, false, false);
        assertThat(r.count(BillRun.Status.NEW)).isEqualTo(7);
        assertThat(current("R-TIER", OCT).total()).isEqualByComparingTo("889.40");   // 340 x 2.61 + 2.00
        assertThat(current("R-BOILER", OCT).total()).isEqualByComparingTo("4804.40"); // 1840 x 2.61 + 2.00
        Bill est = current("R-EST", OCT);
        assertThat(amounts(est)).containsExactly("USAGE 5000 13.05", "ESTIMATE 25000 65.25", "FIXED 0 2.00");
        assertThat(est.lines().get(1).estimated()).isTrue();
        assertThat(est.total()).isEqualByComparingTo("80.30");
        store.append(readings, intervals); // the real reading of 20 Oct arrives
    }

    @Test
    @Order(2)
    void tierThresholdCrossedAndPriceChange() {
        run(NOV, false, false);
        Bill b = current("R-TIER", NOV);
        assertThat(amounts(b)).containsExactly("USAGE 10000 26.10", "USAGE 7000 21.91", "USAGE 14000 47.04",
                "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(b.lines().get(0).tier()).isEqualTo(1);
        assertThat(b.lines().get(0).lastDay()).isEqualTo(LocalDate.of(2026, 10, 24));
        assertThat(b.lines().get(1).tier()).isEqualTo(2);
        assertThat(b.lines().get(2).tariffVersion()).isEqualTo(TestTariffs.V2);
        assertThat(b.total()).isEqualByComparingTo("97.28");
        assertThat(current("R-PRICE", NOV).total()).isEqualByComparingTo("85.80"); // 44.37 + 39.20 + 1.10 + 1.13
    }

    @Test
    @Order(3)
    void boilerThresholds() {
        Bill b = current("R-BOILER", NOV);
        assertThat(b.variants()).containsExactly("boiler");
        assertThat(amounts(b)).containsExactly("USAGE 10000 26.10", "USAGE 24000 75.12", "USAGE 28000 94.08",
                "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(b.total()).isEqualByComparingTo("197.53");
    }

    @Test
    @Order(4)
    void meterExchangeCountsBothMeters() {
        Bill b = current("R-EXCH", NOV);
        assertThat(b.lines()).extracting(BillLine::meterId).containsExactly("M4", "M4", "M5", null, null);
        assertThat(amounts(b)).containsExactly("USAGE 17000 44.37", "USAGE 3000 8.40", "USAGE 6000 16.80",
                "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(b.lines().get(0).explanation()).contains("removed 2026-11-03 10:00 at final register 20.000 m3");
        assertThat(b.lines().get(2).explanation()).contains("fitted 2026-11-03 10:00");
        assertThat(b.total()).isEqualByComparingTo("71.80");
    }

    @Test
    @Order(5)
    void estimateThenTrueUp() {
        Bill b = current("R-EST", NOV);
        assertThat(amounts(b)).containsExactly("TRUE_UP 4800 12.53", "USAGE 18000 46.98", "USAGE 14000 39.20",
                "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(b.lines().get(0).explanation()).contains("measured 29.800 m3").contains("estimated 25.000 m3");
        assertThat(b.total()).isEqualByComparingTo("100.94");
    }

    @Test
    @Order(5)
    void anEstimateRetiredByALaterReadingIsNotBilled() {
        // billed on its readings like R-PRICE: 17 days x 1 m3 x 2.61 = 44.37, 14 x 2.80 = 39.20, fixed 1.10 + 1.13
        Bill b = current("R-RET", NOV);
        assertThat(amounts(b)).containsExactly("USAGE 17000 44.37", "USAGE 14000 39.20", "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(b.lines()).noneMatch(BillLine::estimated);
        assertThat(b.total()).isEqualByComparingTo("85.80");
        assertThat(billing.estimates().estimates(NOV)).extracting(Estimate::accountId).doesNotContain("R-RET");
        assertThat(billing.estimates().allEstimates(NOV)).extracting(Estimate::accountId).contains("R-RET");
    }

    @Test
    @Order(6)
    void correctionIsItsOwnLine() {
        Bill b = current("R-CORR", NOV);
        assertThat(amounts(b)).containsExactly("USAGE 18000 46.98", "CORRECTION 600 1.57", "USAGE 14000 39.20",
                "FIXED 0 1.10", "FIXED 0 1.13");
        assertThat(b.total()).isEqualByComparingTo("89.98");
    }

    @Test
    @Order(7)
    void secondRunAddsNothing() {
        long before = billing.bills().count(NOV);
        BillRun.Report r = run(NOV, false, false);
        assertThat(r.count(BillRun.Status.UNCHANGED)).isEqualTo(7);
        assertThat(billing.bills().count(NOV)).isEqualTo(before);
    }

    @Test
    @Order(8)
    void rebillIsANewVersionThatNamesTheOldOne() {
        // A late reading for R-PRICE: 5 Nov was 2 m3, not 1.
        Instant d = at(LocalDate.of(2026, 11, 5), 0);
        new JdbcCorrectionRepository(rules).save(new IntervalCorrection(2, "M2", d, d.plusSeconds(3600),
                List.of(new ConsumptionInterval("M2", d, d.plusSeconds(3600), 2_000, Set.of())),
                "late reading 2026-11-05T01:00 (CJT188)", clock.instant()));
        BillRun.Report dry = run(NOV, false, false);
        assertThat(dry.count(BillRun.Status.CHANGED)).isEqualTo(1);
        assertThat(billing.bills().versions("R-PRICE", NOV)).hasSize(1);

        BillRun.Report r = run(NOV, false, true);
        assertThat(r.count(BillRun.Status.REBILLED)).isEqualTo(1);
        List<Bill> versions = billing.bills().versions("R-PRICE", NOV);
        assertThat(versions).extracting(Bill::version).containsExactly(1, 2);
        assertThat(versions.get(1).replacesBillId()).isEqualTo(versions.get(0).billId());
        assertThat(versions.get(0).total()).isEqualByComparingTo("85.80");            // unchanged, never edited
        assertThat(amounts(versions.get(1))).contains("CORRECTION 1000 2.80");
        assertThat(versions.get(1).total()).isEqualByComparingTo("88.60");
        assertThat(run(NOV, false, true).count(BillRun.Status.UNCHANGED)).isEqualTo(7);
    }

    @Test
    @Order(9)
    void dryRunWritesNothing() {
        BillRun.Report r = run(YearMonth.of(2026, 12), true, false);
        assertThat(r.count(BillRun.Status.NEW)).isEqualTo(7);
        assertThat(billing.bills().count(YearMonth.of(2026, 12))).isZero();
    }

    @Test
    @Order(10)
    void failedRunLeavesNoPartialBills() {
        billing.tariffs().setVariants("R-TIER", List.of("no-such-variant"), clock.instant()); // the last account
        assertThatThrownBy(() -> run(YearMonth.of(2026, 12), false, false))
                .isInstanceOf(TariffException.class)
                .hasMessageContaining("account R-TIER").hasMessageContaining("no-such-variant")
                .hasMessageNotContaining("\n");
        assertThat(billing.bills().count(YearMonth.of(2026, 12))).isZero();
        assertThat(readers()).as("reader threads alive after the run failed").isEmpty();
        billing.tariffs().setVariants("R-TIER", List.of(), clock.instant());
    }

    @Test
    @Order(11)
    void cycleWithoutTariffIsRefused() {
        assertThatThrownBy(() -> run(YearMonth.of(2025, 12), false, false))
                .isInstanceOf(TariffException.class)
                .hasMessage("bill run 2025-12: no version of tariff residential-gas covers 2025-11-15..2025-12-14"
                        + " (its first version is from 2026-01-01)");
        assertThat(billing.bills().count(YearMonth.of(2025, 12))).isZero();
    }

    @Test
    @Order(12)
    void perAccountQueriesGiveTheSameBills() {
        // the benchmark's peer: every account on its own; same outcomes and same lines, explanations included
        java.util.Map<String, BillRun.Outcome> paged = new java.util.TreeMap<>();
        java.util.Map<String, BillRun.Outcome> alone = new java.util.TreeMap<>();
        billing.run(clock).pageSize(2).run(YearMonth.of(2026, 12), true, false, collect(paged));
        billing.run(clock).perAccountQueries().run(YearMonth.of(2026, 12), true, false, collect(alone));
        assertThat(paged).hasSize(7);
        assertThat(paged.keySet()).isEqualTo(alone.keySet());
        paged.forEach((account, o) -> {
            assertThat(o.status()).as(account).isEqualTo(alone.get(account).status());
            assertThat(o.bill().orElseThrow().lines()).as(account).isEqualTo(alone.get(account).bill().orElseThrow().lines());
        });
        assertThat(billing.run(clock).perAccountQueries().run(NOV, false, false, new BillRun.Listener() { })
                .count(BillRun.Status.UNCHANGED)).isEqualTo(7);
    }

    @Test
    @Order(13)
    void aRunStoppedByItsListenerLeavesNoBillsAndNoReader() {
        // pages of one account: the reader thread has filled its queue when the listener throws after the first
        RuntimeException stop = new IllegalStateException("stopped by the listener");
        java.util.List<String> seen = new java.util.ArrayList<>();
        assertThatThrownBy(() -> billing.run(clock).pageSize(1).run(YearMonth.of(2026, 12), false, false, new BillRun.Listener() {
            @Override
            public void outcome(BillRun.Outcome o) {
                seen.add(o.accountId());
                throw stop;
            }
        })).isSameAs(stop);
        assertThat(seen).hasSize(1);
        assertThat(readers()).as("reader threads alive after the run returned").isEmpty();
        assertThat(billing.bills().count(YearMonth.of(2026, 12))).isZero();
        assertThat(run(YearMonth.of(2026, 12), true, false).count(BillRun.Status.NEW)).isEqualTo(7);
        assertThat(readers()).isEmpty();
    }

    @Test
    @Order(14)
    void severalReadersGiveTheSameBillsAsOne() {
        // pages of one account: the readers read several pages at once and the writer takes them in account order
        BillRun run = billing.run(clock).pageSize(1);
        assertThat(run.readerCount()).as("readers").isEqualTo(expectedReaders());
        java.util.List<String> order = new java.util.ArrayList<>();
        java.util.Map<String, BillRun.Outcome> several = new java.util.TreeMap<>();
        java.util.Map<String, BillRun.Outcome> one = new java.util.TreeMap<>();
        BillRun.Report a = run.run(YearMonth.of(2026, 12), true, false, new BillRun.Listener() {
            @Override
            public void outcome(BillRun.Outcome o) {
                order.add(o.accountId());
                several.put(o.accountId(), o);
            }
        });
        BillRun.Report b = run.readers(1).run(YearMonth.of(2026, 12), true, false, collect(one));
        assertThat(order).containsExactly("R-BOILER", "R-CORR", "R-EST", "R-EXCH", "R-PRICE", "R-RET", "R-TIER");
        assertThat(a.newTotal()).isEqualByComparingTo(b.newTotal());
        assertThat(several.keySet()).isEqualTo(one.keySet());
        several.forEach((account, o) -> {
            assertThat(o.status()).as(account).isEqualTo(one.get(account).status());
            assertThat(o.bill().orElseThrow().lines()).as(account).isEqualTo(one.get(account).bill().orElseThrow().lines());
        });
        assertThat(readers()).isEmpty();
    }

    @Test
    @Order(15)
    void aRunWhosePageFailsWithSeveralReadersLeavesNoBills() {
        // the failing account's page is read (and may be priced) by one reader while others read the pages after it
        billing.tariffs().setVariants("R-PRICE", List.of("no-such-variant"), clock.instant());
        java.util.List<String> seen = new java.util.ArrayList<>();
        assertThatThrownBy(() -> billing.run(clock).pageSize(1).run(YearMonth.of(2026, 12), false, false, new BillRun.Listener() {
            @Override
            public void outcome(BillRun.Outcome o) {
                seen.add(o.accountId());
            }
        })).isInstanceOf(TariffException.class).hasMessageContaining("account R-PRICE").hasMessageContaining("no-such-variant");
        assertThat(seen).as("outcomes before the failed page, in order").containsExactly("R-BOILER", "R-CORR", "R-EST", "R-EXCH");
        assertThat(billing.bills().count(YearMonth.of(2026, 12))).isZero();
        assertThat(readers()).as("reader threads alive after the run failed").isEmpty();
        billing.tariffs().setVariants("R-PRICE", List.of(), clock.instant());
        assertThat(run(YearMonth.of(2026, 12), true, false).count(BillRun.Status.NEW)).isEqualTo(7);
    }

    /** Reader threads of a page-wise run on this store. */
    abstract int expectedReaders();

    private static List<String> readers() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("bill-run-reader")).toList();
    }

    private static BillRun.Listener collect(java.util.Map<String, BillRun.Outcome> into) {
        return new BillRun.Listener() {
            @Override
            public void outcome(BillRun.Outcome o) {
                into.put(o.accountId(), o);
            }
        };
    }

    /** Pages of three accounts, so that the seven accounts span three pages. */
    private BillRun.Report run(YearMonth cycle, boolean dryRun, boolean rebill) {
        return billing.run(clock).pageSize(3).run(cycle, dryRun, rebill, new BillRun.Listener() { });
    }

    private Bill current(String account, YearMonth cycle) {
        List<Bill> v = billing.bills().versions(account, cycle);
        assertThat(v).as("bills of %s %s", account, cycle).isNotEmpty();
        return v.get(v.size() - 1);
    }

    static List<String> amounts(Bill b) {
        return b.lines().stream().map(l -> l.kind() + " " + l.volumeL() + " " + l.amount().toPlainString()).toList();
    }

    private void account(String id, String meter) {
        store.registerMeter(new MeterInfo(meter, Medium.GAS, 0, at(2026, 1, 1, 0), MeterInfo.CJT188_CAPACITY_L));
        store.saveAccount(new Account(id, meter, AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                LocalDate.of(2026, 1, 1), clock.instant()));
    }

    private final java.util.Map<String, Long> registers = new java.util.HashMap<>();

    /** One day's consumption: interval [00:00, 01:00) local, readings at 00:00 and 01:00. */
    private void day(String meter, LocalDate d, long litres) {
        long r = registers.getOrDefault(meter, 0L);
        readings.add(reading(meter, at(d, 0), r));
        readings.add(reading(meter, at(d, 1), r + litres));
        intervals.add(new ConsumptionInterval(meter, at(d, 0), at(d, 1), litres, Set.of()));
        registers.put(meter, r + litres);
    }

    private void daily(String meter, LocalDate first, LocalDate last, long litres) {
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) day(meter, d, litres);
    }

    private static Reading reading(String meter, Instant t, long register) {
        return new Reading(meter, t, t, register, ReadingSource.CJT188, Set.of(), 0);
    }

    static Instant at(LocalDate d, int hour) {
        return LocalDateTime.of(d, java.time.LocalTime.of(hour, 0)).atZone(ZONE).toInstant();
    }

    static Instant at(int y, int m, int d, int hour) {
        return at(LocalDate.of(y, m, d), hour);
    }

    static BigDecimal cny(String s) {
        return new BigDecimal(s);
    }
}
