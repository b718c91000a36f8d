package org.meterhub.benchmarks.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import org.meterhub.engine.store.PostgresStore;

/**
 * The query corpus, kept in its own database so it can be loaded in steps (each short
 * enough to hold the benchmark lock) and measured by {@code QueryBenchmark --db URL}:
 * <ul>
 * <li>{@value #YEAR_METERS} meters ({@code 3…}) read hourly for the whole of 2025 (Asia/Shanghai):
 *     {@value #READINGS_PER_METER} readings each = 100,006,815 readings, 8,760 hour intervals each;</li>
 * <li>{@value #DAY_METERS} more meters ({@code 4…}) read hourly on 30 June 2025 only (25 readings,
 *     24 intervals), so the June monthly totals cover 100,000 meters.</li>
 * </ul>
 * Real schema: the store's migrations and monthly partitions ({@link PostgresStore} creates them).
 * Rows are generated on the server ({@code generate_series}, INSERT … SELECT, time-major as the
 * ingest writes them) with the primary keys in place. Interval volume of meter m in Shanghai hour s
 * of the day is A(m) + B(m)·s litres, so the register after k hours has a closed form and readings,
 * intervals and rollups agree to the litre ({@code check} verifies it). Rollups are the sums a
 * continuous aggregate would compute ({@code time_bucket} … group by) over the intervals, not the
 * engine's per-batch upserts; both give the same rows.
 *
 * <pre>
 * java … QueryCorpus create              # prints the database URL
 * java … QueryCorpus readings URL 2025-01 # one UTC month of the year meters: readings, intervals, hourly rollups
 * java … QueryCorpus extra URL            # the 30 June meters
 * java … QueryCorpus daily URL 2025-01-01 2025-07-01   # daily rollups of [from, to), Shanghai dates
 * java … QueryCorpus monthly URL          # monthly rollups from the daily ones, vacuum/analyze
 * java … QueryCorpus check URL
 * java … QueryCorpus drop URL
 * </pre>
 */
public final class QueryCorpus {
    static final int YEAR_METERS = 11_415;
    static final int READINGS_PER_METER = 8_761;
    static final int DAY_METERS = 100_000 - YEAR_METERS;
    /** 2025-01-01 00:00 Asia/Shanghai. */
    static final String Y0 = "timestamptz '2024-12-31 16:00+00'";

    private QueryCorpus() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "create" -> {
                String url = BenchDatabases.create("corpus");
                try (PostgresStore store = new PostgresStore(url)) { // migrations, partitioning
                    System.out.println(store.describe());
                    store.prepareConsumptionMonths(YearMonth.of(2024, 12), YearMonth.of(2026, 1)); // and the daily rollups'

                }
                try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                    for (YearMonth m = YearMonth.of(2024, 12); !m.isAfter(YearMonth.of(2026, 1)); m = m.plusMonths(1)) {
                        for (String t : new String[] {"readings", "consumption"}) {
                            st.execute(String.format("create table if not exists %s_p%04d%02d partition of %s for values"
                                            + " from ('%s-01 00:00+00') to ('%s-01 00:00+00')", t, m.getYear(),
                                    m.getMonthValue(), t, m, m.plusMonths(1)));
                        }
                    }
                }
                System.out.println(url);
            }
            case "readings" -> timed("readings " + args[2], () -> month(args[1], YearMonth.parse(args[2])));
            case "extra" -> timed("extra", () -> extra(args[1]));
            case "daily" -> timed("daily " + args[2] + " " + args[3], () -> daily(args[1], args[2], args[3]));
            case "monthly" -> timed("monthly", () -> monthly(args[1]));
            case "check" -> check(args[1]);
            case "drop" -> BenchDatabases.drop(args[1]);
            default -> throw new IllegalArgumentException(
                    "create | readings URL YYYY-MM | extra URL | daily URL FROM TO | monthly URL | check URL | drop URL");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void timed(String what, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        System.out.printf("%s: %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    /** Litres in hour k (hours since {@link #Y0}) of meter m, and the register at reading k (SQL). */
    static final String VOLUME = "((m * 7) % 300 + (1 + m % 13) * (k % 24))";
    static final String REGISTER = "(100000 + m * 1000 + k * ((m * 7) % 300)"
            + " + (1 + m % 13) * ((k / 24) * 276 + (k % 24) * (k % 24 - 1) / 2))";

    /** One UTC month of the year meters: readings, intervals, hourly rollups. */
    private static void month(String url, YearMonth month) throws SQLException {
        // hours since Y0 covered by readings in this UTC month
        String lo = "greatest(0, extract(epoch from (timestamptz '" + month + "-01 00:00+00' - " + Y0 + "))::int / 3600)";
        String hi = "least(" + (READINGS_PER_METER - 1) + ", extract(epoch from (timestamptz '" + month.plusMonths(1)
                + "-01 00:00+00' - " + Y0 + "))::int / 3600 - 1)";
        String ks = "generate_series(" + lo + ", " + hi + ") k cross join lateral generate_series(0, " + (YEAR_METERS - 1) + ") m";
        String meter = "'3' || lpad(m::text, 13, '0')";
        String t = Y0 + " + k * interval '1 hour'";
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("set synchronous_commit = off");
            // Each step is one statement (all or nothing); a step already done is skipped, so an
            // interrupted month is resumed by running it again.
            String suffix = String.format("_p%04d%02d", month.getYear(), month.getMonthValue());
            if (!hasRows(st, "readings" + suffix)) st.execute("insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits)"
                    + " select " + meter + ", " + t + ", 'CJT188', " + t + " + interval '2 seconds', " + REGISTER + ", '', 0"
                    + " from " + ks);
            // interval k is [reading k, reading k+1): the year meters' last reading closes interval 8759
            String kIntervals = "generate_series(" + lo + ", least(" + (READINGS_PER_METER - 2) + ", " + hi
                    + ")) k cross join lateral generate_series(0, " + (YEAR_METERS - 1) + ") m";
            if (!hasRows(st, "consumption" + suffix)) st.execute("insert into consumption (meter_id, start_time, end_time, volume_l, flags)"
                    + " select " + meter + ", " + t + ", " + t + " + interval '1 hour', " + VOLUME + ", ''"
                    + " from " + kIntervals);
            try (ResultSet rs = st.executeQuery("select exists (select 1 from consumption_hourly where bucket >= '" + month
                    + "-01 00:00+00' and bucket < '" + month.plusMonths(1) + "-01 00:00+00' and meter_id like '3%')")) {
                rs.next();
                if (rs.getBoolean(1)) return;
            }
            st.execute("insert into consumption_hourly (meter_id, bucket, volume_l, intervals, flag_bits)"
                    + " select meter_id, time_bucket('1 hour', start_time), sum(volume_l), count(*), 0 from consumption"
                    + " where start_time >= '" + month + "-01 00:00+00' and start_time < '" + month.plusMonths(1) + "-01 00:00+00'"
                    + " and meter_id like '3%' group by 1, 2");
        }
    }

    private static boolean hasRows(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("select exists (select 1 from " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The 30 June meters: 25 hourly readings from 2025-06-30 00:00 Shanghai, 24 intervals. */
    private static void extra(String url) throws SQLException {
        String from = "timestamptz '2025-06-29 16:00+00'";
        String meter = "'4' || lpad(m::text, 13, '0')";
        String t = from + " + k * interval '1 hour'";
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("set synchronous_commit = off");
            st.execute("insert into readings (meter_id, time, source, received_at, volume_l, flags, status_bits)"
                    + " select " + meter + ", " + t + ", 'CJT188', " + t + " + interval '2 seconds', " + REGISTER + ", '', 0"
                    + " from generate_series(0, 24) k cross join lateral generate_series(0, " + (DAY_METERS - 1) + ") m");
            st.execute("insert into consumption (meter_id, start_time, end_time, volume_l, flags)"
                    + " select " + meter + ", " + t + ", " + t + " + interval '1 hour', " + VOLUME + ", ''"
                    + " from generate_series(0, 23) k cross join lateral generate_series(0, " + (DAY_METERS - 1) + ") m");
            st.execute("insert into consumption_hourly (meter_id, bucket, volume_l, intervals, flag_bits)"
                    + " select meter_id, time_bucket('1 hour', start_time), sum(volume_l), count(*), 0 from consumption"
                    + " where start_time >= " + from + " and start_time < " + from + " + interval '1 day'"
                    + " and meter_id like '4%' group by 1, 2");
        }
    }

    /**
     * Daily rollups of the intervals in [from, to) (Shanghai dates), so two halves of the year can
     * be built at once, one per core.
     */
    private static void daily(String url, String from, String to) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("set synchronous_commit = off");
            st.execute("set work_mem = '256MB'");
            st.execute("insert into consumption_daily (meter_id, bucket, volume_l, intervals, flag_bits)"
                    + " select meter_id, time_bucket('1 day', start_time, 'Asia/Shanghai'), sum(volume_l), count(*), 0"
                    + " from consumption where start_time >= timestamptz '" + from + " 00:00+08'"
                    + " and start_time < timestamptz '" + to + " 00:00+08' group by 1, 2");
        }
    }

    /** Monthly rollups from the daily ones (Shanghai days nest in Shanghai months); vacuum, analyze. */
    private static void monthly(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("set synchronous_commit = off");
            st.execute("insert into consumption_monthly (meter_id, bucket, volume_l, intervals, flag_bits)"
                    + " select meter_id, time_bucket('1 month', bucket, 'Asia/Shanghai'), sum(volume_l), sum(intervals), 0"
                    + " from consumption_daily group by 1, 2");
            // The rollups the queries read get vacuumed (visibility map: index-only scans); the big
            // tables only analyzed, as autovacuum would get to them in its own time.
            st.execute("vacuum analyze consumption_daily, consumption_monthly");
            st.execute("analyze readings, consumption, consumption_hourly");
        }
    }

    /** Counts, and that registers, intervals and all three rollups agree to the litre. */
    private static void check(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String q : new String[] {
                    "select 'readings', count(*) from readings",
                    "select 'intervals', count(*) from consumption",
                    "select 'hourly rollups', count(*) from consumption_hourly",
                    "select 'daily rollups', count(*) from consumption_daily",
                    "select 'monthly rollups', count(*) from consumption_monthly",
                    "select 'meters in June monthly rollups', count(*) from consumption_monthly"
                            + " where bucket = timestamptz '2025-05-31 16:00+00'",
                    // sums over everything: registers (last - first per meter) = intervals = each rollup
                    "select 'register differences L', sum(d) from (select max(volume_l) - min(volume_l) d from readings group by meter_id) x",
                    "select 'intervals L', sum(volume_l) from consumption",
                    "select 'hourly L', sum(volume_l) from consumption_hourly",
                    "select 'daily L', sum(volume_l) from consumption_daily",
                    "select 'monthly L', sum(volume_l) from consumption_monthly",
                    "select 'database size', pg_size_pretty(pg_database_size(current_database()))"}) {
                try (ResultSet rs = st.executeQuery(q)) {
                    rs.next();
                    System.out.printf("%-34s %s%n", rs.getString(1), rs.getString(2));
                }
            }
        }
    }
}
