package org.meterhub.benchmarks.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PostgresStore;

/**
 * The comparison at its scale: the {@link QueryCorpus} (100,006,815 readings of 11,415
 * meters read hourly through 2025, plus 88,585 meters on 30 June) loaded into plain partitioned
 * PostgreSQL and into TimescaleDB, one after the other, in the same run, with the same statements;
 * then on each: sizes, the query benchmark's queries, ingest through the store's own code into the
 * 100 M-row store, and on TimescaleDB compression, sizes and queries again. The two stores must
 * give the same answers and the same litre sums, or the run fails.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.store.CorpusComparison
 *     [--meters 11415] [--extra-meters 88585] [--ingest-hours 48] [--iterations 200] [--renice N] [--only plain|timescaledb]
 *     [--skip queries,ingest] [--keep] [--database NAME]</pre>
 *
 * {@code --skip} leaves out the query benchmark and/or the ingest through {@code store.append} (the
 * load, the rollups and, on TimescaleDB, the compression policy still run); {@code --keep} leaves
 * the database in place at the end, e.g. for {@code ConsolePageLoad}, and {@code --database} names
 * it (otherwise {@code mh_bench_cmp_<store>_<hex>}).
 *
 * Loading is server-side ({@code INSERT … SELECT} from {@code generate_series}, time-major as the
 * engine writes, one UTC month per statement) into each store's real schema: the plain store's
 * daily readings and monthly consumption partitions, TimescaleDB's hypertables. Rollups: on plain
 * PostgreSQL the engine-maintained tables, filled by the {@code time_bucket} sums a continuous
 * aggregate computes; on TimescaleDB the continuous aggregates, refreshed (their policies paused
 * while loading). {@code --renice N} renices this JVM and its database backends (root only), so a
 * shared machine's other work does not decide the timings alone.
 */
public final class CorpusComparison {

    private static final String Y0 = "timestamptz '2024-12-31 16:00+00'"; // 2025-01-01 00:00 Asia/Shanghai
    private static final Instant YEAR_START = Instant.parse("2024-12-31T16:00:00Z");
    private static final String[] VIEWS = {"consumption_hourly", "consumption_daily", "consumption_monthly"};

    private final int meters;
    private final int extraMeters;
    private final int ingestHours;
    private final int iterations;
    private final Integer renice;
    /** Sections left out: {@code queries} (the query benchmark, before and after compression), {@code ingest}. */
    private Set<String> skip = Set.of();
    /** Keep the database at the end (its name is printed), for the console's page-load benchmark. */
    private boolean keep;
    /** The database's name instead of a fresh {@code mh_bench_…} one; it must not exist yet. */
    private String database;
    private String only;

    private CorpusComparison(int meters, int extraMeters, int ingestHours, int iterations, Integer renice) {
        this.meters = meters;
        this.extraMeters = extraMeters;
        this.ingestHours = ingestHours;
        this.iterations = iterations;
        this.renice = renice;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--keep")) {
                keep = true;
            } else if (i + 1 < args.length) {
                o.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("option without a value: " + args[i]);
            }
        }
        CorpusComparison run = new CorpusComparison(
                Integer.parseInt(o.getOrDefault("--meters", String.valueOf(QueryCorpus.YEAR_METERS))),
                Integer.parseInt(o.getOrDefault("--extra-meters", String.valueOf(QueryCorpus.DAY_METERS))),
                Integer.parseInt(o.getOrDefault("--ingest-hours", "48")),
                Integer.parseInt(o.getOrDefault("--iterations", "200")),
                o.containsKey("--renice") ? Integer.valueOf(o.get("--renice")) : null);
        run.keep = keep;
        run.database = o.get("--database");
        run.skip = o.containsKey("--skip") ? Set.of(o.get("--skip").split(",")) : Set.of();
        for (String part : run.skip) {
            if (!part.equals("queries") && !part.equals("ingest")) {
                throw new IllegalArgumentException("--skip takes queries,ingest; not " + part);
            }
        }
        String only = o.get("--only");
        run.only = only;
        if (run.renice != null) {
            renice(ProcessHandle.current().pid(), run.renice);
        }
        long readings = (long) run.meters * QueryCorpus.READINGS_PER_METER + 25L * run.extraMeters;
        System.out.printf("corpus: %,d meters x %,d hourly readings (2025, Asia/Shanghai) + %,d meters on 30 June = %,d"
                + " readings; then %,d hours of all year meters through the store's append%n", run.meters,
                QueryCorpus.READINGS_PER_METER, run.extraMeters, readings, run.ingestHours);
        String tsdbAdmin = System.getenv().getOrDefault("METERHUB_TSDB_URL",
                "jdbc:postgresql://127.0.0.1:5433/postgres?user=meterhub&password=meterhub");
        Result plain = only == null || only.equals("plain") ? run.run("plain", BenchDatabases.adminUrl()) : null;
        Result tsdb = only == null || only.equals("timescaledb") ? run.run("timescaledb", tsdbAdmin) : null;
        if (plain == null || tsdb == null) {
            return;
        }
        System.out.println();
        System.out.printf("answers identical (series of 5 meters in 1h/1d/1mo, a day's readings, totals, counts): %s%n",
                plain.answers.equals(tsdb.answers) ? "yes" : "NO");
        System.out.printf("litre sums identical: %s (%s)%n", plain.sums.equals(tsdb.sums) ? "yes" : "NO", plain.sums);
        System.out.printf("%-62s %16s %16s %8s%n", "", "plain PG", "TimescaleDB", "TS/plain");
        Set<String> keys = new java.util.LinkedHashSet<>(plain.numbers.keySet());
        keys.addAll(tsdb.numbers.keySet());
        for (String k : keys) {
            Double p = plain.numbers.get(k);
            Double t = tsdb.numbers.get(k);
            System.out.printf("%-62s %16s %16s %8s%n", k, p == null ? "-" : TimescaleBenchmark.format(k, p),
                    t == null ? "-" : TimescaleBenchmark.format(k, t), p == null || t == null ? "" : String.format("%.2f", t / p));
        }
        if (!plain.answers.equals(tsdb.answers) || !plain.sums.equals(tsdb.sums)) {
            throw new IllegalStateException("the two stores answer differently");
        }
    }

    private record Result(Map<String, Double> numbers, List<Object> answers, List<Long> sums) {
    }

    private Result run(String label, String admin) throws Exception {
        Map<String, Double> numbers = new LinkedHashMap<>();
        String url = database == null ? BenchDatabases.create(admin, "cmp_" + label)
                : BenchDatabases.createNamed(admin, only1(database, label));
        System.out.printf("%n%s %s: %s%n", Instant.now(), label, url.replaceAll("password=[^&]*", "password=…"));
        try (PostgresStore store = new PostgresStore(url); Connection c = connect(url); Statement st = c.createStatement()) {
            boolean ts = store.hypertables();
            if (ts != label.equals("timescaledb")) {
                throw new IllegalStateException(label + " is " + store.describe());
            }
            System.out.println("  " + store.describe());
            if (ts) {
                st.execute("select alter_job(job_id, scheduled => false) from timescaledb_information.jobs"
                        + " where proc_name in ('policy_refresh_continuous_aggregate', 'policy_compression')");
            } else {
                partitions(st);
                store.prepareConsumptionMonths(YearMonth.of(2024, 12), YearMonth.of(2026, 1)); // and the daily rollups'
            }
            long rows = load(url, ts);
            numbers.put("load: readings + intervals (server-side) s", seconds("raw rows", rows));
            numbers.put("load: rows/s", rows / numbers.get("load: readings + intervals (server-side) s"));
            long t0 = System.nanoTime();
            if (ts) {
                parallel(url, java.util.Arrays.stream(VIEWS)
                        .map(view -> "call refresh_continuous_aggregate('" + view + "', null, null)").toList());
            } else {
                rollups(url);
            }
            numbers.put(ts ? "continuous aggregates: first refresh s" : "rollup tables: fill s", (System.nanoTime() - t0) / 1e9);
            if (!ts) {
                t0 = System.nanoTime();
                int built = store.indexClosedPartitions(Instant.now()).size();
                numbers.put("closed days' (meter_id, time) indexes: build s", (System.nanoTime() - t0) / 1e9);
                System.out.printf("  %s built %d closed-day indexes%n", Instant.now(), built);
            }
            t0 = System.nanoTime();
            // The rollups the queries read get vacuumed (visibility map: index-only scans); the big
            // tables only analyzed, as autovacuum would get to them in its own time.
            st.execute("vacuum analyze " + (ts ? materializations(st) : "consumption_hourly, consumption_daily, consumption_monthly"));
            st.execute("analyze readings, consumption");
            numbers.put("vacuum / analyze s", (System.nanoTime() - t0) / 1e9);
            TimescaleBenchmark.sizes(c, ts, "", numbers);
            List<Long> sums = sums(st);
            List<Object> answers = TimescaleBenchmark.answers(store, meters);
            if (!skip.contains("queries")) {
                TimescaleBenchmark.queries(store, meters, iterations, "", numbers);
                System.out.printf("  %s queries done%n", Instant.now());
            }

            if (!skip.contains("ingest")) {
                double appendSeconds = ingest(store);
                long appended = (long) meters * ingestHours;
                numbers.put("ingest into the 100 M store (store.append): readings/s", appended / appendSeconds);
                if (ts) {
                    t0 = System.nanoTime();
                    for (String view : VIEWS) {
                        st.execute("call refresh_continuous_aggregate('" + view + "', null, null)");
                    }
                    double refresh = (System.nanoTime() - t0) / 1e9;
                    numbers.put("… refresh of the aggregates after it s", refresh);
                    numbers.put("… ingest + refresh: readings/s", appended / (appendSeconds + refresh));
                }
            }
            if (ts) {
                t0 = System.nanoTime();
                List<Integer> jobs = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("select job_id from timescaledb_information.jobs"
                        + " where proc_name = 'policy_compression'")) {
                    while (rs.next()) {
                        jobs.add(rs.getInt(1));
                    }
                }
                for (int job : jobs) {
                    st.execute("call run_job(" + job + ")");
                }
                numbers.put("compression policy: run s", (System.nanoTime() - t0) / 1e9);
                System.out.printf("  %s compressed%n", Instant.now());
                st.execute("vacuum analyze");
                TimescaleBenchmark.sizes(c, true, "compressed: ", numbers);
                if (!TimescaleBenchmark.answers(store, meters).subList(0, answers.size() - 1)
                        .equals(answers.subList(0, answers.size() - 1))) {
                    throw new IllegalStateException("compressed chunks answer differently");
                }
                if (!skip.contains("queries")) {
                    TimescaleBenchmark.queries(store, meters, iterations, "compressed: ", numbers);
                }
            }
            numbers.forEach((k, v) -> System.out.printf("  %-62s %s%n", k, TimescaleBenchmark.format(k, v)));
            System.out.printf("  litre sums: %s%n", sums);
            return new Result(numbers, answers, sums);
        } finally {
            if (keep) {
                System.out.printf("  %s kept %s: %s%n", Instant.now(), label, url.replaceAll("password=[^&]*", "password=…"));
            } else {
                BenchDatabases.drop(admin, url);
                System.out.printf("  %s dropped %s%n", Instant.now(), label);
            }
        }
    }

    /** The database name for one store: {@code NAME} with {@code --only}, else {@code NAME_<store>}. */
    private String only1(String name, String label) {
        return only == null ? name + "_" + label : name;
    }

    /** The continuous aggregates' materialization hypertables, for VACUUM. */
    private static String materializations(Statement st) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("select format('%I.%I', materialization_hypertable_schema,"
                + " materialization_hypertable_name) from timescaledb_information.continuous_aggregates")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return String.join(", ", names);
    }

    private double seconds(String what, long rows) {
        double s = (System.nanoTime() - loadStarted) / 1e9;
        System.out.printf("  %s %s: %,d rows in %.0f s%n", Instant.now(), what, rows, s);
        return s;
    }

    private long loadStarted;

    private Connection connect(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        if (renice != null) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                renice(rs.getLong(1), renice);
            }
        }
        return c;
    }

    /**
     * Renices a process and its autogroup: with autogroup scheduling (Linux's default for desktop and
     * many server kernels) nice works only among a session's processes, and every PostgreSQL backend
     * is a session of its own.
     */
    private static void renice(long pid, int n) {
        try {
            java.nio.file.Path group = java.nio.file.Path.of("/proc/" + pid + "/autogroup");
            if (java.nio.file.Files.isWritable(group)) {
                java.nio.file.Files.writeString(group, String.valueOf(n));
            }
            int rc = new ProcessBuilder("renice", "-n", String.valueOf(n), "-p", String.valueOf(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (rc != 0) {
                System.out.printf("  renice %d of %d failed (rc %d): timings at the machine's own priorities%n", n, pid, rc);
            }
        } catch (Exception e) {
            System.out.println("  renice failed: " + e.getMessage());
        }
    }

    /** The plain store's own layout for the corpus's span: a readings partition a day, consumption a month. */
    private static void partitions(Statement st) throws SQLException {
        for (LocalDate d = LocalDate.of(2024, 12, 31); d.isBefore(LocalDate.of(2026, 1, 2)); d = d.plusDays(1)) {
            st.execute(String.format("create table if not exists readings_p%1$tY%1$tm%1$td partition of readings"
                    + " for values from ('%1$tF 00:00:00+00') to ('%2$tF 00:00:00+00')", d, d.plusDays(1)));
        }
        for (YearMonth m = YearMonth.of(2024, 12); !m.isAfter(YearMonth.of(2026, 1)); m = m.plusMonths(1)) {
            st.execute(String.format("create table if not exists consumption_p%04d%02d partition of consumption"
                    + " for values from ('%s-01 00:00:00+00') to ('%s-01 00:00:00+00')", m.getYear(), m.getMonthValue(),
                    m, m.plusMonths(1)));
        }
    }

    /** Litres in hour k of meter m, and the register at reading k, as SQL: QueryCorpus's closed form. */
    private static final String VOLUME = QueryCorpus.VOLUME;
    private static final String REGISTER = QueryCorpus.REGISTER;

    static long volume(int m, long k) {
        return (m * 7L) % 300 + (1 + m % 13) * (k % 24);
    }

    static long register(int m, long k) {
        long a = (m * 7L) % 300;
        long b = 1 + m % 13;
        return 100_000L + m * 1_000L + k * a + b * ((k / 24) * 276 + (k % 24) * (k % 24 - 1) / 2);
    }

    /**
     * Readings and intervals of the year meters, a UTC month a statement, on two connections (one
     * per core: months alternate between them), then the 30 June meters.
     */
    private long load(String url, boolean ts) throws Exception {
        loadStarted = System.nanoTime();
        List<YearMonth> months = new ArrayList<>();
        for (YearMonth m = YearMonth.of(2024, 12); !m.isAfter(YearMonth.of(2025, 12)); m = m.plusMonths(1)) {
            months.add(m);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Long>> parts = new ArrayList<>();
            for (int lane = 0; lane < 2; lane++) {
                int first = lane;
                parts.add(pool.submit(() -> {
                    long rows = 0;
                    try (Connection c = connect(url); Statement st = c.createStatement()) {
                        st.execute("set synchronous_commit = off");
                        for (int i = first; i < months.size(); i += 2) {
                            rows += month(st, months.get(i));
                        }
                    }
                    return rows;
                }));
            }
            long rows = 0;
            for (java.util.concurrent.Future<Long> part : parts) {
                rows += part.get();
            }
            try (Connection c = connect(url); Statement st = c.createStatement()) {
                st.execute("set synchronous_commit = off");
                String from = "timestamptz '2025-06-29 16:00+00'";
                String meter = "'4' || lpad(m::text, 13, '0')";
                String t = from + " + k * interval '1 hour'";
                String m = " cross join lateral generate_series(0, " + (extraMeters - 1) + ") m";
                rows += st.executeUpdate("insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits)"
                        + " select " + meter + ", " + t + ", 'CJT188', " + t + " + interval '2 seconds', " + REGISTER + ", '', 0"
                        + " from generate_series(0, 24) k" + m);
                rows += st.executeUpdate("insert into consumption (meter_id, start_time, end_time, volume_l, flags)"
                        + " select " + meter + ", " + t + ", " + t + " + interval '1 hour', " + VOLUME + ", ''"
                        + " from generate_series(0, 23) k" + m);
            }
            return rows;
        } finally {
            pool.shutdown();
        }
    }

    /** One UTC month of the year meters' readings and intervals; returns the rows inserted. */
    private long month(Statement st, YearMonth month) throws SQLException {
        int last = QueryCorpus.READINGS_PER_METER - 1;
        String lo = "greatest(0, extract(epoch from (timestamptz '" + month + "-01 00:00+00' - " + Y0 + "))::int / 3600)";
        String hi = "extract(epoch from (timestamptz '" + month.plusMonths(1) + "-01 00:00+00' - " + Y0 + "))::int / 3600 - 1";
        String m = " cross join lateral generate_series(0, " + (meters - 1) + ") m";
        String meter = "'3' || lpad(m::text, 13, '0')";
        String t = Y0 + " + k * interval '1 hour'";
        long rows = st.executeUpdate("insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits)"
                + " select " + meter + ", " + t + ", 'CJT188', " + t + " + interval '2 seconds', " + REGISTER + ", '', 0"
                + " from generate_series(" + lo + ", least(" + last + ", " + hi + ")) k" + m);
        rows += st.executeUpdate("insert into consumption (meter_id, start_time, end_time, volume_l, flags)"
                + " select " + meter + ", " + t + ", " + t + " + interval '1 hour', " + VOLUME + ", ''"
                + " from generate_series(" + lo + ", least(" + (last - 1) + ", " + hi + ")) k" + m);
        System.out.printf("  %s loaded %s: %,d rows, %.0f s since the load began%n", Instant.now(), month, rows,
                (System.nanoTime() - loadStarted) / 1e9);
        return rows;
    }

    /**
     * The plain store's rollup tables, the sums a continuous aggregate computes: hourly and daily at
     * once on two connections (both read the intervals), then monthly from the daily ones. Its
     * counterpart, the TimescaleDB refresh, also runs its three aggregates at once.
     */
    private void rollups(String url) throws Exception {
        parallel(url, List.of("insert into consumption_hourly (meter_id, bucket, volume_l, intervals, flag_bits)"
                        + " select meter_id, time_bucket('1 hour', start_time), sum(volume_l), count(*), 0 from consumption"
                        + " group by 1, 2",
                "insert into consumption_daily (meter_id, bucket, volume_l, intervals, flag_bits)"
                        + " select meter_id, time_bucket('1 day', start_time, 'Asia/Shanghai'), sum(volume_l), count(*), 0"
                        + " from consumption group by 1, 2"));
        parallel(url, List.of("insert into consumption_monthly (meter_id, bucket, volume_l, intervals, flag_bits)"
                + " select meter_id, time_bucket('1 month', bucket, 'Asia/Shanghai'), sum(volume_l), sum(intervals), 0"
                + " from consumption_daily group by 1, 2"));
    }

    /** Runs the statements at once, one connection each, and waits for all. */
    private void parallel(String url, List<String> statements) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(statements.size());
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (String sql : statements) {
                done.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try (Connection c = connect(url); Statement st = c.createStatement()) {
                        st.execute("set synchronous_commit = off");
                        st.execute("set work_mem = '256MB'");
                        st.execute(sql);
                    }
                    System.out.printf("  %s %.0f s: %s%n", Instant.now(), (System.nanoTime() - t0) / 1e9,
                            sql.substring(0, Math.min(70, sql.length())));
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Σ intervals, Σ hourly, Σ daily, Σ monthly (litres) and the readings count; the first four must agree. */
    private static List<Long> sums(Statement st) throws SQLException {
        List<Long> sums = new ArrayList<>();
        for (String q : new String[] {"select sum(volume_l) from consumption", "select sum(volume_l) from consumption_hourly",
                "select sum(volume_l) from consumption_daily", "select sum(volume_l) from consumption_monthly",
                "select count(*) from readings"}) {
            try (ResultSet rs = st.executeQuery(q)) {
                rs.next();
                sums.add(rs.getLong(1));
            }
        }
        if (!sums.get(0).equals(sums.get(1)) || !sums.get(0).equals(sums.get(2)) || !sums.get(0).equals(sums.get(3))) {
            throw new IllegalStateException("intervals and rollups disagree: " + sums);
        }
        return sums;
    }

    /** Time-major appends after the year: every meter's reading of hour k and its interval, 20,000 readings a call. */
    private double ingest(PostgresStore store) {
        long nanos = 0;
        int batch = 20_000;
        List<Reading> readings = new ArrayList<>(batch + meters);
        List<ConsumptionInterval> intervals = new ArrayList<>(batch + meters);
        long first = QueryCorpus.READINGS_PER_METER;
        for (long k = first; k < first + ingestHours; k++) {
            Instant t = YEAR_START.plus(Duration.ofHours(k));
            for (int m = 0; m < meters; m++) {
                String id = String.format("3%013d", m);
                intervals.add(new ConsumptionInterval(id, t.minus(Duration.ofHours(1)), t, volume(m, k - 1), Set.of()));
                readings.add(new Reading(id, t, t.plusSeconds(2), register(m, k), ReadingSource.CJT188, Set.of(), 0));
            }
            if (readings.size() + meters > batch || k == first + ingestHours - 1) {
                long t0 = System.nanoTime();
                store.append(readings, intervals);
                nanos += System.nanoTime() - t0;
                readings.clear();
                intervals.clear();
            }
        }
        System.out.printf("  %s appended %,d readings in %.1f s (%s)%n", Instant.now(), (long) meters * ingestHours,
                nanos / 1e9, LocalDate.ofInstant(YEAR_START.plus(Duration.ofHours(first)), ZoneOffset.UTC));
        return nanos / 1e9;
    }
}
