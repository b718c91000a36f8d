package org.meterhub.benchmarks.billing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.billing.BillRun;
import org.meterhub.engine.billing.Billing;
import org.meterhub.engine.billing.FixedCharge;
import org.meterhub.engine.billing.Tariff;
import org.meterhub.engine.billing.TariffBook;
import org.meterhub.engine.billing.TariffVersion;
import org.meterhub.engine.billing.Tier;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Skeleton of the bill-run benchmark (issue 14: 1,000,000 accounts with a year of daily rollups,
 * goal ≤ 60 s, memory flat in the number of accounts). Generates accounts, one meter each, with
 * {@code days} days of consumption ending on the period's last day (one interval and two readings
 * a day, so the daily rollups are what a real store holds), loads a three-tier tariff, then times
 * one bill run of cycle 2026-11 and reports accounts/s and the peak heap.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.billing.BillRunBench \
 *     jdbc:sqlite:/tmp/bills.db 10000 365          # the goal: 1000000 365, and a PostgreSQL URL
 * </pre>
 * Not measured yet at the goal's scale: the run reads the account list whole and does several
 * queries per account (rollups, readings, corrections, exchanges, previous bills).
 */
public final class BillRunBench {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final YearMonth CYCLE = YearMonth.of(2026, 11);

    private BillRunBench() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : "jdbc:sqlite:/tmp/meterhub-bills.db";
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 365;
        try (TimeSeriesStore store = StoreFactory.open(url); Billing billing = Billing.open(store, url)) {
            long g0 = System.nanoTime();
            generate(store, accounts, days);
            if (billing.tariffs().book().tariffs().isEmpty()) billing.tariffs().load(tariffs(), Instant.now());
            System.out.printf("generated %d accounts x %d days in %.1f s%n", accounts, days, (System.nanoTime() - g0) / 1e9);
            resetPeaks();
            long t0 = System.nanoTime();
            BillRun.Report r = billing.run(Clock.systemUTC()).run(CYCLE, false, false, new BillRun.Listener() {
                @Override
                public void progress(int done, int total) {
                    if (done % 100_000 == 0) System.out.printf("  %d/%d%n", done, total);
                }
            });
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("bill run %s: %d accounts (new %d, unchanged %d) in %.1f s = %.0f accounts/s; peak heap %d MiB%n",
                    CYCLE, r.accounts(), r.count(BillRun.Status.NEW), r.count(BillRun.Status.UNCHANGED), s, r.accounts() / s,
                    peakHeap() >> 20);
        }
    }

    private static void generate(TimeSeriesStore store, int accounts, int days) {
        LocalDate last = LocalDate.of(2026, 11, 14);
        LocalDate first = last.minusDays(days - 1L);
        Instant now = Instant.parse("2026-11-15T00:00:00Z");
        for (int a = 0; a < accounts; a++) {
            String meter = String.format("%014d", 40_000_000_000_000L + a);
            if (store.meter(meter).isPresent()) continue;
            store.registerMeter(new MeterInfo(meter, Medium.GAS, 0, first.atStartOfDay(ZONE).toInstant(), MeterInfo.CJT188_CAPACITY_L));
            store.saveAccount(new Account("A" + meter, meter, AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    first.minusDays(1), now));
            List<Reading> readings = new ArrayList<>(days * 2);
            List<ConsumptionInterval> intervals = new ArrayList<>(days);
            long register = 0;
            for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                long litres = 500 + (a * 7L + d.getDayOfYear() * 13L) % 1500;
                Instant t0 = d.atTime(7, 0).atZone(ZONE).toInstant();
                Instant t1 = t0.plusSeconds(3600);
                readings.add(new Reading(meter, t0, t0, register, ReadingSource.CJT188, Set.of(), 0));
                readings.add(new Reading(meter, t1, t1, register + litres, ReadingSource.CJT188, Set.of(), 0));
                intervals.add(new ConsumptionInterval(meter, t0, t1, litres, Set.of()));
                register += litres;
            }
            store.append(readings, intervals);
        }
    }

    private static TariffBook tariffs() {
        TariffVersion v = new TariffVersion(LocalDate.of(2020, 1, 1), List.of(new Tier(350_000, new BigDecimal("2.61")),
                new Tier(500_000, new BigDecimal("3.13")), new Tier(Tier.UNBOUNDED, new BigDecimal("3.92"))),
                List.of(new FixedCharge("meter service", new BigDecimal("2.00"))), Map.of());
        return new TariffBook(List.of(new Tariff("residential-gas", Tariff.classesOf(List.of(CustomerClass.RESIDENTIAL)),
                MonthDay.of(1, 1), List.of(v))));
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }
}
