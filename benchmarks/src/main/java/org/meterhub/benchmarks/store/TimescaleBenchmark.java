package org.meterhub.benchmarks.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.PostgresStore;

/**
 * Plain partitioned PostgreSQL against TimescaleDB, same run, same data, through the store's own
 * code: ingest (readings and their hour intervals, time-major, as the engine writes them), the
 * query benchmark's queries, and storage before and after compression.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.store.TimescaleBenchmark [meters] [iterations] [batch]</pre>
 * Each meter is read hourly for the whole of 2025 (Asia/Shanghai): 8,761 readings and 8,760
 * intervals a meter; defaults 1,142 meters (10,005,062 readings), 200 timed calls per query,
 * appends of up to 20,000 readings. Plain PostgreSQL from {@code METERHUB_PG_URL} (admin URL,
 * default 127.0.0.1:5432), TimescaleDB from {@code METERHUB_TSDB_URL} (default 127.0.0.1:5433,
 * scripts/timescaledb.sh); fresh databases, dropped at the end.
 *
 * <p>The TimescaleDB store's background jobs are paused while it loads (its rows are all older
 * than the 30-day compression threshold, which in production holds only for chunks no longer
 * written): its continuous aggregates are then refreshed and its chunks compressed by running
 * the policies' jobs, each timed. The plain store maintains its rollups in every append; its
 * counterpart of compression is building the closed days' per-meter indexes, also timed.
 */
public final class TimescaleBenchmark {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant YEAR_START = Instant.parse("2024-12-31T16:00:00Z"); // 2025-01-01 Shanghai
    private static final Instant YEAR_END = Instant.parse("2025-12-31T16:00:00Z");
    private static final int HOURS = 8_760;
    private static final String[] VIEWS = {"consumption_hourly", "consumption_daily", "consumption_monthly"};

    private TimescaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int meters = args.length > 0 ? Integer.parseInt(args[0]) : 1_142;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        String plainAdmin = env("METERHUB_PG_URL", BenchDatabases.DEFAULT_ADMIN);
        String tsdbAdmin = env("METERHUB_TSDB_URL", "jdbc:postgresql://127.0.0.1:5433/postgres?user=meterhub&password=meterhub");
        System.out.printf("TimescaleDB benchmark: %,d meters x %,d hourly readings (2025) = %,d readings, %,d intervals;"
                + " appends of up to %,d readings%n", meters, HOURS + 1, (long) meters * (HOURS + 1), (long) meters * HOURS,
                batch);
        Run plain = run("plain", plainAdmin, meters, iterations, batch);
        Run tsdb = run("timescaledb", tsdbAdmin, meters, iterations, batch);

        System.out.println();
        System.out.printf("answers identical on both stores (series of 5 meters in 1h/1d/1mo, totals, readings): %s%n",
                plain.answers.equals(tsdb.answers) ? "yes" : "NO");
        System.out.printf("%-62s %16s %16s %8s%n", "", "plain PG", "TimescaleDB", "TS/plain");
        for (String key : plain.numbers.keySet()) {
            if (tsdb.numbers.containsKey(key)) {
                line(key, plain.numbers.get(key), tsdb.numbers.get(key));
            }
        }
        for (Map.Entry<String, Double> e : tsdb.numbers.entrySet()) {
            if (!plain.numbers.containsKey(e.getKey())) {
                System.out.printf("%-62s %16s %16s%n", e.getKey(), "-", format(e.getKey(), e.getValue()));
            }
        }
        for (Map.Entry<String, Double> e : plain.numbers.entrySet()) {
            if (!tsdb.numbers.containsKey(e.getKey())) {
                System.out.printf("%-62s %16s %16s%n", e.getKey(), format(e.getKey(), e.getValue()), "-");
            }
        }
        if (!plain.answers.equals(tsdb.answers)) {
            throw new IllegalStateException("the two stores answer differently");
        }
    }

    private static void line(String key, double plain, double tsdb) {
        System.out.printf("%-62s %16s %16s %8.2f%n", key, format(key, plain), format(key, tsdb), tsdb / plain);
    }

    static String format(String key, double v) {
        return key.endsWith("MB") || key.endsWith("ms") || key.endsWith(" s") ? String.format("%,.2f", v)
                : String.format("%,.0f", v);
    }

    private static String env(String name, String fallback) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isBlank() ? fallback : v;
    }

    /** What one store measured, in report order, and what it answered. */
    private record Run(Map<String, Double> numbers, List<Object> answers) {
    }

    private static Run run(String label, String admin, int meters, int iterations, int batch) throws Exception {
        Map<String, Double> numbers = new LinkedHashMap<>();
        String url = BenchDatabases.create(admin, label);
        try (PostgresStore store = new PostgresStore(url)) {
            boolean ts = store.hypertables();
            System.out.printf("%n%s: %s%n", label, store.describe());
            if (ts != label.equals("timescaledb")) {
                throw new IllegalStateException(label + " is " + store.describe());
            }
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                if (ts) {
                    st.execute("select alter_job(job_id, scheduled => false) from timescaledb_information.jobs"
                            + " where proc_name in ('policy_refresh_continuous_aggregate', 'policy_compression')");
                }
                double seconds = ingest(store, meters, batch);
                long rows = (long) meters * (HOURS + 1);
                numbers.put("ingest: readings/s (with their intervals)", rows / seconds);
                numbers.put("ingest: rows/s (readings + intervals)", (rows + (long) meters * HOURS) / seconds);
                numbers.put("ingest: time s", seconds);
                if (ts) {
                    long t0 = System.nanoTime();
                    for (String view : VIEWS) {
                        st.execute("call refresh_continuous_aggregate('" + view + "', null, null)");
                    }
                    double refresh = (System.nanoTime() - t0) / 1e9;
                    numbers.put("continuous aggregates: first refresh s", refresh);
                    numbers.put("ingest + refresh: readings/s", rows / (seconds + refresh));
                } else {
                    long t0 = System.nanoTime();
                    int built = store.indexClosedPartitions(Instant.now()).size();
                    numbers.put("closed days' (meter_id, time) indexes: build s", (System.nanoTime() - t0) / 1e9);
                    System.out.printf("  built %d closed-day indexes%n", built);
                }
                st.execute("vacuum analyze");
                sizes(c, ts, "", numbers);
                List<Object> answers = answers(store, meters);
                queries(store, meters, iterations, "", numbers);
                if (ts) {
                    long t0 = System.nanoTime();
                    try (ResultSet rs = c.createStatement().executeQuery("select job_id from timescaledb_information.jobs"
                            + " where proc_name = 'policy_compression'")) {
                        List<Integer> jobs = new ArrayList<>();
                        while (rs.next()) {
                            jobs.add(rs.getInt(1));
                        }
                        for (int job : jobs) {
                            st.execute("call run_job(" + job + ")");
                        }
                    }
                    numbers.put("compression policy: run s", (System.nanoTime() - t0) / 1e9);
                    st.execute("vacuum analyze");
                    sizes(c, true, "compressed: ", numbers);
                    if (!answers(store, meters).equals(answers)) {
                        throw new IllegalStateException("compressed chunks answer differently");
                    }
                    queries(store, meters, iterations, "compressed: ", numbers);
                }
                numbers.forEach((k, v) -> System.out.printf("  %-62s %s%n", k, format(k, v)));
                return new Run(numbers, answers);
            }
        } finally {
            BenchDatabases.drop(admin, url);
        }
    }

    private static String meter(int m) {
        return String.format("3%013d", m);
    }

    /** Litres of meter m in hour k of the year (as QueryCorpus: A(m) + B(m) times the hour of the day). */
    private static long volume(int m, int k) {
        return (m * 7L) % 300 + (1 + m % 13) * (long) (k % 24);
    }

    /** Time-major appends: every meter's reading of hour k and its interval [k-1, k); returns seconds in append. */
    private static double ingest(PostgresStore store, int meters, int batch) {
        long[] register = new long[meters];
        for (int m = 0; m < meters; m++) {
            register[m] = 100_000L + m * 1_000L;
        }
        long nanos = 0;
        long started = System.nanoTime();
        List<Reading> readings = new ArrayList<>(batch + meters);
        List<ConsumptionInterval> intervals = new ArrayList<>(batch + meters);
        for (int k = 0; k <= HOURS; k++) {
            Instant t = YEAR_START.plus(Duration.ofHours(k));
            for (int m = 0; m < meters; m++) {
                if (k > 0) {
                    long v = volume(m, k - 1);
                    register[m] += v;
                    Set<IntervalFlag> flags = (k + m) % 997 == 0 ? EnumSet.of(IntervalFlag.ESTIMATED) : Set.of();
                    intervals.add(new ConsumptionInterval(meter(m), t.minus(Duration.ofHours(1)), t, v, flags));
                }
                readings.add(new Reading(meter(m), t, t.plusSeconds(2), register[m], ReadingSource.CJT188, Set.of(), 0));
            }
            if (readings.size() + meters > batch || k == HOURS) {
                long t0 = System.nanoTime();
                store.append(readings, intervals);
                nanos += System.nanoTime() - t0;
                readings.clear();
                intervals.clear();
            }
            if (k % 1_000 == 0 && k > 0) {
                System.out.printf("  hour %,d of %,d: %.0f s%n", k, HOURS, (System.nanoTime() - started) / 1e9);
            }
        }
        return nanos / 1e9;
    }

    /** Sizes in MB: readings, consumption, rollups (tables or aggregates), whole database. */
    static void sizes(Connection c, boolean ts, String prefix, Map<String, Double> numbers) throws SQLException {
        String table = ts ? "hypertable_size('%s')"
                : "(select sum(pg_total_relation_size(relid)) from pg_partition_tree('%s'))";
        String rollups = ts
                ? "(select sum(hypertable_size(format('%I.%I', materialization_hypertable_schema,"
                        + " materialization_hypertable_name)::regclass)) from timescaledb_information.continuous_aggregates)"
                : "pg_total_relation_size('consumption_hourly') + pg_total_relation_size('consumption_daily')"
                        + " + pg_total_relation_size('consumption_monthly')";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select " + String.format(table, "readings")
                + ", " + String.format(table, "consumption") + ", " + rollups + ", pg_database_size(current_database())")) {
            rs.next();
            numbers.put(prefix + "size: readings MB", rs.getLong(1) / 1048576.0);
            numbers.put(prefix + "size: consumption MB", rs.getLong(2) / 1048576.0);
            numbers.put(prefix + "size: rollups / continuous aggregates MB", rs.getLong(3) / 1048576.0);
            numbers.put(prefix + "size: database MB", rs.getLong(4) / 1048576.0);
        }
    }

    /** The answers compared between the stores. */
    static List<Object> answers(PostgresStore store, int meters) {
        List<Object> answers = new ArrayList<>();
        for (int m : new int[] {0, 1, meters / 3, meters / 2, meters - 1}) {
            for (Step step : Step.values()) {
                answers.add(ConsumptionQuery.series(store, meter(m), YEAR_START, YEAR_END, step, ZONE));
            }
            answers.add(store.readings(meter(m), Instant.parse("2025-06-10T00:00:00Z"), Instant.parse("2025-06-11T00:00:00Z")));
        }
        answers.add(store.totals(Instant.parse("2025-05-31T16:00:00Z"), Instant.parse("2025-06-30T16:00:00Z"), null,
                false, Integer.MAX_VALUE));
        answers.add(store.totals(YEAR_START, YEAR_END, null, false, Integer.MAX_VALUE));
        answers.add(store.readingCount());
        return answers;
    }

    static void queries(PostgresStore store, int meters, int iterations, String prefix, Map<String, Double> numbers) {
        String meter = meter(meters / 2);
        Histogram series = measure(iterations,
                () -> ConsumptionQuery.series(store, meter, YEAR_START, YEAR_END, Step.DAY, ZONE));
        Histogram raw = measure(iterations,
                () -> ConsumptionQuery.series((MeterStore) store, meter, YEAR_START, YEAR_END, Step.DAY, ZONE));
        Histogram day = measure(iterations, () -> store.readings(meter, Instant.parse("2025-06-10T00:00:00Z"),
                Instant.parse("2025-06-11T00:00:00Z")));
        Histogram totals = measure(Math.max(10, iterations / 10), () -> store.totals(Instant.parse("2025-05-31T16:00:00Z"),
                Instant.parse("2025-06-30T16:00:00Z"), null, false, Integer.MAX_VALUE));
        put(numbers, prefix + "one-year daily series, one meter (rollups)", series);
        put(numbers, prefix + "one-year daily series, one meter (raw intervals)", raw);
        put(numbers, prefix + "one meter's readings of a day", day);
        put(numbers, prefix + "monthly totals, all meters (June)", totals);
    }

    private static void put(Map<String, Double> numbers, String what, Histogram h) {
        numbers.put(what + ": p50 ms", h.getValueAtPercentile(50) / 1000.0);
        numbers.put(what + ": p99 ms", h.getValueAtPercentile(99) / 1000.0);
    }

    /** Warm-up (2 s and at least 20 calls), then timed calls in µs. */
    private static Histogram measure(int iterations, Supplier<?> query) {
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() - warmUntil < 0; i++) {
            query.get();
        }
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            query.get();
            h.recordValue((System.nanoTime() - t0) / 1000);
        }
        return h;
    }
}
