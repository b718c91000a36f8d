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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meterhub.benchmarks.store.ServerCpu;
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
    /** A year of daily rollups, ending with the billed period's last day (2026-11-14). */
    private static final LocalDate YEAR_FIRST = LocalDate.of(2025, 11, 15);
    private static final int YEAR_DAYS = 365;
    /** Days of rollups generated, ending on 2026-11-14 (the fourth argument; a year unless told). */
    private static int history = YEAR_DAYS;
    private static final LocalDate YEAR_START = LocalDate.of(2026, 1, 1);
    /** Accounts per generating transaction. */
    private static final int CHUNK = 20_000;

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
        history = args.length > 3 ? Integer.parseInt(args[3]) : YEAR_DAYS;
        if (history < 31 || history > YEAR_DAYS) throw new IllegalArgumentException("days of rollups: 31..365, got " + history);
        boolean pg = url.startsWith("jdbc:postgresql:");
        if (pg) createDatabase(url);
        long g0 = System.nanoTime();
        int made;
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            made = generate(store, url, accounts);
        }
        if (!pg) checkpoint(url);
        try (TimeSeriesStore store = StoreFactory.open(url); Billing billing = Billing.open(store, url)) {
            if (billing.tariffs().book().tariffs().isEmpty()) billing.tariffs().load(tariffs(), Instant.now());
            System.out.printf("store %s: %d accounts x %d days (%d generated in %.1f s)%n", url.replaceAll("\\?.*", ""),
                    accounts, history, made, (System.nanoTime() - g0) / 1e9);
            deleteBills(url);
            if (peer > 0) {
                double paged = stopAfter(billing.run(Clock.systemUTC()), peer);
                double alone = stopAfter(billing.run(Clock.systemUTC()).perAccountQueries(), peer);
                System.out.printf("first %d accounts: page-wise %.2f s = %.0f accounts/s; per-account queries (peer) %.2f s ="
                    + " %.0f accounts/s; ratio %.1fx%n", peer, paged, peer / paged, alone, peer / alone, alone / paged);
                deleteBills(url);
            }
            resetPeaks();
            List<Integer> backends = pg ? ServerCpu.backends(url) : List.of();
            long cpu0 = processCpuNanos();
            java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long main0 = threads.getCurrentThreadCpuTime(); // the run's writing thread (and, before issue 14's reader, all of it)
            long server0 = ServerCpu.ticks(backends);
            Map<Integer, Long> perBackend0 = new java.util.TreeMap<>();
            for (int pid : backends) perBackend0.put(pid, ServerCpu.ticks(List.of(pid)));
            long[] peakLive = {0};
            long[] lastAccount = {0};
            double[] readerCpu = {0};
            long t0 = System.nanoTime();
            BillRun.Report r = billing.run(Clock.systemUTC()).run(CYCLE, false, false, new BillRun.Listener() {
                @Override
                public void progress(int done, int total) {
                    if (done == total) lastAccount[0] = System.nanoTime();
                    if (done % Math.max(1, total / 10) == 0) {
                        readerCpu[0] = Math.max(readerCpu[0], readerCpu()); // before the reader thread ends
                        // what the run keeps alive, not the garbage a peak of "used" also counts: flat in the accounts?
                        System.gc();
                        long live = liveHeap();
                        peakLive[0] = Math.max(peakLive[0], live);
                        System.out.printf("  %d/%d %.1f s, live heap %d MiB%n", done, total, (System.nanoTime() - t0) / 1e9,
                                live >> 20);
                    }
                }
            });
            long t1 = System.nanoTime();
            double s = (t1 - t0) / 1e9;
            double cpu = (processCpuNanos() - cpu0) / 1e9;
            billing.awaitCheckpoint();
            double checkpoint = (System.nanoTime() - t1) / 1e9;
            double mainCpu = (threads.getCurrentThreadCpuTime() - main0) / 1e9;
            double server = (ServerCpu.ticks(backends) - server0) / (double) ServerCpu.CLOCK_TICKS;
            if (pg) {
                // per backend, with its last statement: which connection's server side took the time (the run's writes, each reader)
                Map<Integer, String> last = ServerCpu.lastQueries(url);
                StringBuilder sb = new StringBuilder("server CPU by backend:");
                perBackend0.forEach((pid, t0b) -> {
                    long d = ServerCpu.ticks(List.of(pid)) - t0b;
                    if (d > 0) sb.append(String.format(" %d %.1f s (%s);", pid, d / (double) ServerCpu.CLOCK_TICKS,
                            last.getOrDefault(pid, "?")));
                });
                System.out.println(sb);
            }
            System.out.printf("bill run %s page-wise: %d accounts (new %d, unchanged %d) in %.1f s = %.0f accounts/s;"
                    + " new bills total %s CNY; peak heap %d MiB used (garbage included), %d MiB live after GC%n", CYCLE,
                    r.accounts(), r.count(BillRun.Status.NEW), r.count(BillRun.Status.UNCHANGED), s, r.accounts() / s,
                    r.newTotal(), peakHeap() >> 20, peakLive[0] >> 20);
            System.out.printf("CPU: this JVM %.1f s%s = %.0f accounts per CPU-second; load average %s%n", cpu,
                    pg ? String.format(", PostgreSQL backends %.1f s", server) : "", r.accounts() / (cpu + server), loadAverage());
            // derived, not measured: with a core each, the run takes about as long as its busiest side
            System.out.printf("after the last account until the run returned (commit): %.1f s%s%n", (t1 - lastAccount[0]) / 1e9,
                    pg ? "" : String.format("; then the checkpoint of the WAL into the database file (SQLite, on its own"
                            + " thread, the bills already committed): %.1f s more", checkpoint));
            double rest = cpu - mainCpu + server;
            System.out.printf("CPU by side: the run's (writing) thread %.1f s, the rest (reader thread, GC, JIT%s) %.1f s;"
                    + " on a quiet 2-core machine about %.0f s = %.0f accounts/s (derived: the larger side); of the rest, the"
                    + " reader thread %.1f s%n", mainCpu, pg ? ", PostgreSQL backends" : "", rest, Math.max(mainCpu, rest),
                    r.accounts() / Math.max(mainCpu, rest), readerCpu[0]);
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
     * Adds accounts A00000001.. with meters M00000001.. up to {@code accounts}, in chunks of
     * {@link #CHUNK} accounts, each chunk one transaction (a generation stopped half-way resumes after
     * the last whole chunk, and SQLite's WAL stays the size of one chunk instead of the whole store).
     * Per account: a year of daily rollups (500..2199 litres a day), a reading on the 15th of each
     * month (the register before that day) and one bill of cycle 2026-10 whose single line carries
     * the tariff year's volume so far (so the run's tier positions come from stored bills, as in
     * production). Nothing else: no raw readings, intervals or hourly rollups, which the bill run
     * never reads. Returns how many accounts were added.
     */
    private static int generate(TimeSeriesStore store, String url, int accounts) throws SQLException {
        boolean pg = url.startsWith("jdbc:postgresql:");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            int have;
            try (ResultSet rs = st.executeQuery("select count(*) from accounts where account_id like 'A%'")) {
                rs.next();
                have = rs.getInt(1);
            }
            if (have >= accounts) {
                if (pg && neverVacuumed(st)) vacuum(st); // a generation stopped after its last whole chunk; an older one's
                else if (pg) st.execute("analyze");
                if (pg) ((PostgresStore) store).indexClosedPartitions(Instant.now());
                return 0;
            }
            if (pg) {
                seedPartitions(store);
            } else {
                st.execute("pragma synchronous = off"); // benchmark data: a crash means generating again
                st.execute("pragma cache_size = -262144");
            }
            c.setAutoCommit(false);
            for (int from = have + 1; from <= accounts; from += CHUNK) {
                int to = Math.min(accounts, from + CHUNK - 1);
                long t0 = System.nanoTime();
                for (String sql : pg ? pgChunk(from, to) : sqliteChunk(from, to)) st.execute(sql);
                c.commit();
                System.out.printf("  generated accounts %d..%d in %.1f s%n", from, to, (System.nanoTime() - t0) / 1e9);
            }
            c.setAutoCommit(true);
            if (pg) vacuum(st); else st.execute("analyze");
            if (pg) {
                ((PostgresStore) store).indexClosedPartitions(Instant.now()); // the per-meter index a closed day gets
            }
            return accounts - have;
        }
    }

    /**
     * PostgreSQL: the generated tables vacuumed and analysed, untimed, as autovacuum leaves a live store (it is off on
     * the test server): without the visibility map the rollups' index-only scans fetch every heap row, and the first
     * run sets the fresh rows' hint bits (1 M × 365, the first run after generation: 96.4 s against 46.4 s after this).
     * Cheap on a store already vacuumed.
     */
    private static boolean neverVacuumed(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("select exists (select 1 from pg_stat_user_tables where (relname = 'consumption_daily'"
                + " or relname like 'consumption_daily_p%') and n_live_tup > 0 and last_vacuum is null and last_autovacuum is null)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void vacuum(Statement st) throws SQLException {
        long t0 = System.nanoTime();
        st.execute("vacuum (analyze) consumption_daily, readings, accounts, meters, bills, bill_lines");
        System.out.printf("  vacuumed and analysed the generated tables in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Moves the generated data from SQLite's WAL into the database file, with no other connection open: a
     * checkpoint that an open reader blocks leaves the whole store in the WAL, and the bill run then reads
     * every page through the WAL's index while its own transaction grows the WAL further.
     */
    private static void checkpoint(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("pragma wal_checkpoint(truncate)")) {
            if (rs.next() && rs.getInt(1) != 0) {
                System.out.println("WARNING: the WAL checkpoint was blocked (another connection reads the store)");
            }
        }
    }

    /** Day indices (from {@link #YEAR_FIRST}) of the 15ths of the year's months: the days a meter was read. */
    private static List<Integer> readDays() {
        List<Integer> out = new ArrayList<>();
        for (LocalDate d = YEAR_FIRST; d.isBefore(YEAR_FIRST.plusDays(YEAR_DAYS)); d = d.plusMonths(1)) {
            if (dayIndex(d) >= firstDay()) out.add((int) dayIndex(d));
        }
        return out;
    }

    private static final String LITRES = "(500 + (g * 7) % 1500 + (d % 3) * 100)";

    /** The register before day d of account g: the sum of LITRES over the days before d, in closed form. */
    private static String register(String d) {
        return "(" + d + " * (500 + (g * 7) % 1500) + 100 * (3 * (" + d + " / 3) + case when " + d
                + " % 3 = 2 then 1 else 0 end))";
    }

    /** Index of the first generated day. */
    private static int firstDay() {
        return YEAR_DAYS - history;
    }

    private static long dayIndex(LocalDate d) {
        return ChronoUnit.DAYS.between(YEAR_FIRST, d);
    }

    /** The tariff year's litres before the billed period: what the 2026-10 bill's line carries. */
    private static String yearSoFar() {
        return register(String.valueOf(dayIndex(FIRST))) + " - " + register(String.valueOf(dayIndex(YEAR_START)));
    }

    private static List<String> pgChunk(int from, int to) {
        long base = YEAR_FIRST.atStartOfDay(ZONE).toEpochSecond();
        String series = " from generate_series(" + from + ", " + to + ") g";
        String meter = "'M' || lpad(g::text, 8, '0')";
        String account = "'A' || lpad(g::text, 8, '0')";
        String reads = String.join(",", readDays().stream().map(String::valueOf).toList());
        return List.of(
                "insert into meters (meter_id, medium, base_reading_l, base_time, register_capacity_l) select " + meter
                        + ", 'GAS', 0, to_timestamp(" + base + ") - interval '1 day', 1000000000" + series,
                "insert into accounts (account_id, meter_id, state, customer_class, ignited_on, updated_at) select " + account
                        + ", " + meter + ", 'ignited', 'residential', date '2025-01-01', now()" + series,
                // in key order (meter, day): the planner put the days outside the accounts, so every row went to a
                // random place in the (meter_id, bucket) key: 270 s a 20 000-account chunk, against appends at its edge
                "insert into consumption_daily (meter_id, bucket, volume_l, intervals, flag_bits) select " + meter
                        + ", to_timestamp(" + base + ") + d * interval '1 day', " + LITRES + ", 24, 0" + series
                        + " cross join generate_series(" + firstDay() + ", " + (YEAR_DAYS - 1) + ") d order by g, d",
                "insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits) select " + meter
                        + ", to_timestamp(" + base + ") + d * interval '1 day', 'CJT188', to_timestamp(" + base
                        + ") + d * interval '1 day', " + register("d") + ", '', 0" + series + " cross join unnest(array["
                        + reads + "]) d",
                "insert into bills (account_id, cycle, version, reason, tariff_id, variants, period_first, period_last, total,"
                        + " created_at) select " + account + ", '2026-10', 1, 'benchmark: the tariff year so far',"
                        + " 'residential-gas', '', '2026-01-01', '2026-10-14', '0.00', now()" + series,
                "insert into bill_lines (bill_id, line_no, kind, meter_id, first_day, last_day, tariff_version, tier,"
                        + " tariff_year, volume_l, unit_price, amount, estimated, explanation) select b.bill_id, 1, 'USAGE', "
                        + meter + ", '2026-01-01', '2026-10-14', '2020-01-01', 1, 2026, " + yearSoFar() + ", '2.61', '0.00', 0,"
                        + " 'benchmark position'" + series + " join bills b on b.account_id = " + account
                        + " and b.cycle = '2026-10' and b.version = 1");
    }

    private static List<String> sqliteChunk(int from, int to) {
        long base = YEAR_FIRST.atStartOfDay(ZONE).toInstant().toEpochMilli();
        // the meter id made once per account, not once per row
        String gs = "with recursive gs(g, m) as (select " + from + ", printf('M%08d', " + from + ") union all select g + 1,"
                + " printf('M%08d', g + 1) from gs where g < " + to + ")";
        String meter = "m";
        String account = "printf('A%08d', g)";
        String reads = String.join(" union all ", readDays().stream().map(d -> "select " + d).toList());
        // CROSS JOIN keeps the accounts' loop outside the days': rows arrive in primary-key order (appends to the
        // B-tree, no page splits) without a sort
        return List.of(
                gs + " insert into meters (meter_id, medium, base_reading_l, base_time, register_capacity_l, created_at)"
                        + " select " + meter + ", 'GAS', 0, " + (base - 86_400_000L) + ", 1000000000, " + base + " from gs",
                gs + " insert into accounts (account_id, meter_id, state, customer_class, ignited_on, updated_at) select "
                        + account + ", " + meter + ", 'ignited', 'residential', '2025-01-01', " + base + " from gs",
                gs + ", ds(d) as (select " + firstDay() + " union all select d + 1 from ds where d < " + (YEAR_DAYS - 1) + ")"
                        + " insert into consumption_daily (meter_id, bucket, volume_l, intervals, flag_bits) select " + meter
                        + ", " + base + " + d * 86400000, " + LITRES + ", 24, 0 from gs cross join ds",
                gs + ", rd(d) as (" + reads + ") insert into readings (meter_id, time, source, received_at, volume_l, flags,"
                        + " status_bits) select " + meter + ", " + base + " + d * 86400000, 'CJT188', " + base
                        + " + d * 86400000, " + register("d") + ", '', 0 from gs cross join rd",
                gs + " insert into bills (account_id, cycle, version, reason, tariff_id, variants, period_first, period_last,"
                        + " total, created_at) select " + account + ", '2026-10', 1, 'benchmark: the tariff year so far',"
                        + " 'residential-gas', '', '2026-01-01', '2026-10-14', '0.00', " + base + " from gs",
                gs + " insert into bill_lines (bill_id, line_no, kind, meter_id, first_day, last_day, tariff_version, tier,"
                        + " tariff_year, volume_l, unit_price, amount, estimated, explanation) select b.bill_id, 1, 'USAGE', "
                        + meter + ", '2026-01-01', '2026-10-14', '2020-01-01', 1, 2026, " + yearSoFar() + ", '2.61', '0.00', 0,"
                        + " 'benchmark position' from gs join bills b on b.account_id = " + account
                        + " and b.cycle = '2026-10' and b.version = 1");
    }

    /**
     * PostgreSQL without TimescaleDB partitions readings by day: one reading a day through the store creates them;
     * the daily rollups by month in the store's zone: made with the consumption months they come from.
     */
    private static void seedPartitions(TimeSeriesStore store) {
        ((PostgresStore) store).prepareConsumptionMonths(YearMonth.from(YEAR_FIRST).minusMonths(1),
                YearMonth.from(FIRST).plusMonths(1));
        String meter = "P-SEED";
        store.registerMeter(new MeterInfo(meter, Medium.GAS, 0, YEAR_FIRST.minusDays(1).atStartOfDay(ZONE).toInstant(),
                MeterInfo.CJT188_CAPACITY_L));
        List<Reading> readings = new ArrayList<>();
        for (int d : readDays()) {
            Instant t = YEAR_FIRST.plusDays(d).atStartOfDay(ZONE).toInstant();
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
            // PostgreSQL, where autovacuum may be off (this test server): without it every rerun's bills went into
            // tables and keys full of the deleted runs' dead rows, and each run cost the server more than the last
            if (url.startsWith("jdbc:postgresql:")) {
                st.execute("vacuum (analyze) bills");
                st.execute("vacuum (analyze) bill_lines");
            }
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

    /** CPU seconds of the run's reader thread so far (0 when it is not running). */
    private static double readerCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("bill-run-reader")) {
                long ns = threads.getThreadCpuTime(t.getId());
                if (ns > 0) return ns / 1e9;
            }
        }
        return 0;
    }


    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }
    }

    private static long liveHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getUsage().getUsed();
        }
        return sum;
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }
}
