package org.meterhub.benchmarks.billing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.meterhub.engine.billing.BillRun;
import org.meterhub.engine.billing.Billing;
import org.meterhub.engine.billing.FixedCharge;
import org.meterhub.engine.billing.Tariff;
import org.meterhub.engine.billing.TariffBook;
import org.meterhub.engine.billing.TariffVersion;
import org.meterhub.engine.billing.Tier;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The bill-run benchmark of issue 14: a bill run of cycle 2026-11 over {@code accounts} accounts
 * (one meter each, residential, a three-tier tariff with a price change on 1 Nov, so each bill has
 * two usage and two fixed lines), through {@link Billing#run}, the code {@code meterhub bill run} uses.
 *
 * <p>The store gets, per account, the cycle's 31 daily rollups and one actual reading a day, written
 * by server-side SQL ({@code generate_series} on PostgreSQL, a recursive CTE on SQLite) so that a
 * million accounts load in minutes; a store that already holds them is reused. Then, in this order:
 * <ol>
 *   <li>the page-wise run and its peer, the per-account-query run ({@link BillRun#perAccountQueries}),
 *       each stopped after the first {@code peer} accounts (the stop rolls the run back, so nothing
 *       stays): the same accounts, the same data, the same JVM;</li>
 *   <li>the cycle's bills of earlier invocations are deleted (this is a benchmark store), and the
 *       page-wise run bills every account: accounts/s, total time, peak heap.</li>
 * </ol>
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.billing.BillRunBench \
 *     jdbc:sqlite:/tmp/bills.db 100000 5000
 * </pre>
 */
public final class BillRunBench {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final YearMonth CYCLE = YearMonth.of(2026, 11);
    private static final LocalDate FIRST = LocalDate.of(2026, 10, 15);
    private static final int DAYS = 31;

    private BillRunBench() {
    }

    /** Thrown from the listener to stop a timed run after a number of accounts (its transaction rolls back). */
    private static final class Stop extends RuntimeException {
        final double seconds;

        Stop(double seconds) {
            super(null, null, false, false);
            this.seconds = seconds;
        }
    }

    public static void main(String[] args) throws SQLException {
        String url = args.length > 0 ? args[0] : "jdbc:sqlite:/tmp/meterhub-bills.db";
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int peer = Math.min(accounts, args.length > 2 ? Integer.parseInt(args[2]) : 5_000);
        if (url.startsWith("jdbc:postgresql:")) createDatabase(url);
        try (TimeSeriesStore store = StoreFactory.open(url); Billing billing = Billing.open(store, url)) {
            long g0 = System.nanoTime();
            int made = generate(store, url, accounts);
            if (billing.tariffs().book().tariffs().isEmpty()) billing.tariffs().load(tariffs(), Instant.now());
            System.out.printf("store %s: %d accounts x %d days (%d generated in %.1f s)%n", url.replaceAll("\\?.*", ""),
                    accounts, DAYS, made, (System.nanoTime() - g0) / 1e9);
            deleteBills(url);
            double paged = stopAfter(billing.run(Clock.systemUTC()), peer);
            double alone = stopAfter(billing.run(Clock.systemUTC()).perAccountQueries(), peer);
            System.out.printf("first %d accounts: page-wise %.2f s = %.0f accounts/s; per-account queries (peer) %.2f s ="
                    + " %.0f accounts/s; ratio %.1fx%n", peer, paged, peer / paged, alone, peer / alone, alone / paged);
            deleteBills(url);
            resetPeaks();
            long t0 = System.nanoTime();
            BillRun.Report r = billing.run(Clock.systemUTC()).run(CYCLE, false, false, new BillRun.Listener() {
                @Override
                public void progress(int done, int total) {
                    if (done % 100_000 == 0) System.out.printf("  %d/%d %.1f s%n", done, total, (System.nanoTime() - t0) / 1e9);
                }
            });
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("bill run %s page-wise: %d accounts (new %d, unchanged %d) in %.1f s = %.0f accounts/s;"
                    + " new bills total %s CNY; peak heap %d MiB%n", CYCLE, r.accounts(), r.count(BillRun.Status.NEW),
                    r.count(BillRun.Status.UNCHANGED), s, r.accounts() / s, r.newTotal(), peakHeap() >> 20);
        }
    }

    /** Seconds until the run has billed {@code n} accounts; the run is then stopped and rolled back. */
    private static double stopAfter(BillRun run, int n) {
        long t0 = System.nanoTime();
        try {
            run.run(CYCLE, false, false, new BillRun.Listener() {
                @Override
                public void progress(int done, int total) {
                    if (done == n) throw new Stop((System.nanoTime() - t0) / 1e9);
                }
            });
        } catch (Stop s) {
            return s.seconds;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Adds accounts A00000001.. with meters M00000001.. up to {@code accounts}: the cycle's daily
     * rollups (500..2199 litres a day) and one CJ/T 188 reading a day at 07:00 local (the register
     * before the day's use). Returns how many were added.
     */
    private static int generate(TimeSeriesStore store, String url, int accounts) throws SQLException {
        boolean pg = url.startsWith("jdbc:postgresql:");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            int have;
            try (ResultSet rs = st.executeQuery("select count(*) from accounts where account_id like 'A%'")) {
                rs.next();
                have = rs.getInt(1);
            }
            if (have >= accounts) return 0;
            if (pg) seedPartitions(store);
            c.setAutoCommit(false);
            long base = FIRST.atStartOfDay(ZONE).toInstant().toEpochMilli();
            String from = String.valueOf(have + 1);
            String to = String.valueOf(accounts);
            // litres of account g on day d (0-based) and the register before day d: a closed form, no window needed
            String litres = "(500 + (g * 7) % 1500 + (d % 3) * 100)";
            if (pg) {
                String series = " from generate_series(" + from + ", " + to + ") g";
                String days = " cross join generate_series(0, " + (DAYS - 1) + ") d";
                String meter = "'M' || lpad(g::text, 8, '0')";
                st.execute("insert into meters (meter_id, medium, base_reading_l, base_time, register_capacity_l) select "
                        + meter + ", 'GAS', 0, to_timestamp(" + base / 1000 + ") - interval '1 day', 1000000000" + series);
                st.execute("insert into accounts (account_id, meter_id, state, customer_class, ignited_on, updated_at) select"
                        + " 'A' || lpad(g::text, 8, '0'), " + meter + ", 'ignited', 'residential', date '2026-01-01', now()"
                        + series);
                st.execute("insert into consumption_daily (meter_id, bucket, volume_l, intervals, flag_bits) select " + meter
                        + ", to_timestamp(" + base / 1000 + ") + d * interval '1 day', " + litres + ", 1, 0" + series + days);
                st.execute("insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits) select "
                        + meter + ", to_timestamp(" + base / 1000 + ") + d * interval '1 day' + interval '7 hours', 'CJT188',"
                        + " to_timestamp(" + base / 1000 + ") + d * interval '1 day' + interval '7 hours', " + register()
                        + ", '', 0" + series + days);
            } else {
                String series = "with recursive gs(g) as (select " + from + " union all select g + 1 from gs where g < " + to + ")";
                String days = ", (with recursive e(d) as (select 0 union all select d + 1 from e where d < " + (DAYS - 1)
                        + ") select d from e) dd";
                String meter = "printf('M%08d', g)";
                st.execute(series + " insert into meters (meter_id, medium, base_reading_l, base_time, register_capacity_l,"
                        + " created_at) select " + meter + ", 'GAS', 0, " + (base - 86_400_000L) + ", 1000000000, " + base
                        + " from gs");
                st.execute(series + " insert into accounts (account_id, meter_id, state, customer_class, ignited_on, updated_at)"
                        + " select printf('A%08d', g), " + meter + ", 'ignited', 'residential', '2026-01-01', " + base + " from gs");
                st.execute(series + " insert into consumption_daily (meter_id, bucket, volume_l, intervals, flag_bits) select "
                        + meter + ", " + base + " + d * 86400000, " + litres + ", 1, 0 from gs" + days);
                st.execute(series + " insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits)"
                        + " select " + meter + ", " + base + " + d * 86400000 + 25200000, 'CJT188', " + base
                        + " + d * 86400000 + 25200000, " + register() + ", '', 0 from gs" + days);
            }
            c.commit();
            if (pg) {
                st.execute("analyze");
                ((PostgresStore) store).indexClosedPartitions(Instant.now()); // the per-meter index a closed day gets
            }
            return accounts - have;
        }
    }

    /** The register before day d: the sum of litres(g, k) for k < d, in closed form (100 * sum of k mod 3 is the second term). */
    private static String register() {
        return "(d * (500 + (g * 7) % 1500) + 100 * (3 * (d / 3) + case when d % 3 = 2 then 1 else 0 end))";
    }

    /** PostgreSQL without TimescaleDB partitions readings by day: one reading a day through the store creates them. */
    private static void seedPartitions(TimeSeriesStore store) {
        String meter = "P-SEED";
        store.registerMeter(new MeterInfo(meter, Medium.GAS, 0, FIRST.minusDays(1).atStartOfDay(ZONE).toInstant(),
                MeterInfo.CJT188_CAPACITY_L));
        List<Reading> readings = new ArrayList<>();
        for (int d = 0; d < DAYS; d++) {
            Instant t = FIRST.plusDays(d).atTime(7, 0).atZone(ZONE).toInstant();
            readings.add(new Reading(meter, t, t, 0, ReadingSource.CJT188, Set.of(), 0));
        }
        store.append(readings, List.of());
    }

    private static void createDatabase(String url) throws SQLException {
        String name = url.replaceAll("^jdbc:postgresql://[^/]+/([^/?]+).*$", "$1");
        String admin = url.replaceFirst("/" + name + "(\\?|$)", "/postgres$1");
        try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
            if (!rs.next()) st.execute("create database " + name);
        }
    }

    /** This is a benchmark store: the cycle's bills of an earlier invocation go, so that every run bills anew. */
    private static void deleteBills(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("delete from bill_lines where bill_id in (select bill_id from bills where cycle = '" + CYCLE + "')");
            st.execute("delete from bills where cycle = '" + CYCLE + "'");
        }
    }

    private static TariffBook tariffs() {
        TariffVersion v1 = new TariffVersion(LocalDate.of(2020, 1, 1), List.of(new Tier(350_000, new BigDecimal("2.61")),
                new Tier(500_000, new BigDecimal("3.13")), new Tier(Tier.UNBOUNDED, new BigDecimal("3.92"))),
                List.of(new FixedCharge("meter service", new BigDecimal("2.00"))), Map.of());
        TariffVersion v2 = new TariffVersion(LocalDate.of(2026, 11, 1), List.of(new Tier(350_000, new BigDecimal("2.80")),
                new Tier(500_000, new BigDecimal("3.36")), new Tier(Tier.UNBOUNDED, new BigDecimal("4.20"))),
                List.of(new FixedCharge("meter service", new BigDecimal("2.50"))), Map.of());
        return new TariffBook(List.of(new Tariff("residential-gas", Tariff.classesOf(List.of(CustomerClass.RESIDENTIAL)),
                MonthDay.of(1, 1), List.of(v1, v2))));
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
