package org.meterhub.benchmarks.store;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.meterhub.engine.query.Bucket;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.MeterTotal;
import org.meterhub.engine.store.PostgresStore;

/**
 * Query latency (HdrHistogram p50/p99) on PostgreSQL: a one-year daily series of one meter, and
 * monthly totals of many meters.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.store.QueryBenchmark [seriesMeters] [totalMeters] [iterations]
 * java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.store.QueryBenchmark --db URL [iterations]</pre>
 * With {@code --db}: measures on an existing {@link QueryCorpus} database (100 M readings) and keeps it.
 * Loads {@code seriesMeters} meters with a year of hourly consumption (and their rollups, by the
 * same {@code time_bucket} SQL a continuous aggregate would run) and {@code totalMeters} meters with a
 * year of monthly rollups. Defaults: 1,000 meters (8.76 M intervals), 100,000 meters, 200 iterations.
 */
public final class QueryBenchmark {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant YEAR_START = Instant.parse("2024-12-31T16:00:00Z"); // 2025-01-01 Shanghai
    private static final Instant YEAR_END = Instant.parse("2025-12-31T16:00:00Z");

    private QueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // --db URL [iterations]: measure on an existing corpus (QueryCorpus), keep it
        boolean existing = args.length > 1 && args[0].equals("--db");
        int seriesMeters = existing ? QueryCorpus.YEAR_METERS : args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int totalMeters = existing ? QueryCorpus.DAY_METERS : args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int iterations = existing ? (args.length > 2 ? Integer.parseInt(args[2]) : 200)
                : args.length > 2 ? Integer.parseInt(args[2]) : 200;
        String url = existing ? args[1] : BenchDatabases.create("query");
        try (PostgresStore store = new PostgresStore(url)) {
            if (!existing) {
                store.prepareConsumptionMonths(YearMonth.of(2024, 12), YearMonth.of(2025, 12)); // and the daily rollups'
                load(url, seriesMeters, totalMeters);
            }
            String meter = String.format("3%013d", seriesMeters / 2);

            // Each query is measured in its own phase after its own warm-up: interleaved, the peer's
            // garbage (8,760 intervals a call) lands GC pauses in the other's samples, and 20 warm-up
            // calls left the first measured ones to the interpreter while the JIT was compiling.
            List<Bucket> a = ConsumptionQuery.series(store, meter, YEAR_START, YEAR_END, Step.DAY, ZONE);
            List<Bucket> b = ConsumptionQuery.series((MeterStore) store, meter, YEAR_START, YEAR_END, Step.DAY, ZONE);
            if (!a.equals(b) || a.size() != 365) {
                throw new IllegalStateException("series differ or wrong length: " + a.size());
            }
            Phase rollup = measure(iterations,
                    () -> ConsumptionQuery.series(store, meter, YEAR_START, YEAR_END, Step.DAY, ZONE));
            Phase raw = measure(iterations,
                    () -> ConsumptionQuery.series((MeterStore) store, meter, YEAR_START, YEAR_END, Step.DAY, ZONE));
            Histogram totals = new Histogram(3_600_000_000L, 3);
            int rows = 0;
            for (int i = 0; i < Math.max(5, iterations / 20) + 2; i++) {
                long t0 = System.nanoTime();
                List<MeterTotal> month = store.totals(Instant.parse("2025-05-31T16:00:00Z"),
                        Instant.parse("2025-06-30T16:00:00Z"), null, false, Integer.MAX_VALUE);
                long t1 = System.nanoTime();
                rows = month.size();
                if (i >= 2) {
                    totals.recordValue((t1 - t0) / 1000);
                }
            }
            if (existing) {
                System.out.printf("%ncorpus %s: %,d meters x %,d hourly readings (a year) + %,d meters x 25 readings on 30 June%n",
                        url.replaceAll("\\?.*", ""), seriesMeters, QueryCorpus.READINGS_PER_METER, totalMeters);
            } else {
                System.out.printf("%ncorpus: %,d meters x 8,760 hourly intervals (%,d rows) + %,d meters x 12 monthly rollups%n",
                        seriesMeters, seriesMeters * 8_760L, totalMeters);
            }
            report("one-year daily series, one meter (rollups)", rollup.latency);
            System.out.printf("%-56s %d GCs, %d ms in GC during the phase%n", "", rollup.gcs, rollup.gcMs);
            report("one-year daily series, one meter (raw intervals, peer)", raw.latency);
            System.out.printf("%-56s %d GCs, %d ms in GC during the phase%n", "", raw.gcs, raw.gcMs);
            report("monthly totals, " + rows + " meters (June)", totals);
        } finally {
            if (!existing) BenchDatabases.drop(url);
        }
    }

    /** Latencies of one query, and the collections that happened while they were taken. */
    private record Phase(Histogram latency, long gcs, long gcMs) {
    }

    /** Warm-up until both 2 s and 200 calls have passed, then {@code iterations} timed calls (µs). */
    private static Phase measure(int iterations, Runnable query) {
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 200 || System.nanoTime() - warmUntil < 0; i++) {
            query.run();
        }
        long gcs = gcCount();
        long gcMs = gcMillis();
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            query.run();
            h.recordValue((System.nanoTime() - t0) / 1000);
        }
        return new Phase(h, gcCount() - gcs, gcMillis() - gcMs);
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    private static void report(String what, Histogram h) {
        System.out.printf("%-56s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  (n=%d)%n", what,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
                h.getTotalCount());
    }

    /** Server-side generation: hourly intervals, their rollups via time_bucket, and monthly rollups of many meters. */
    private static void load(String url, int seriesMeters, int totalMeters) throws Exception {
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (int m = 1; m <= 13; m++) {
                String from = String.format("2025-%02d-01", m);
                String to = m == 12 ? "2026-01-01" : String.format("2025-%02d-01", m + 1);
                if (m == 13) {
                    from = "2024-12-01";
                    to = "2025-01-01";
                }
                st.execute("create table if not exists consumption_p" + from.substring(0, 7).replace("-", "")
                        + " partition of consumption for values from ('" + from + " 00:00+00') to ('" + to + " 00:00+00')");
            }
            st.execute("insert into consumption (meter_id, start_time, end_time, volume_l, flags)"
                    + " select '3' || lpad(m::text, 13, '0'), t, t + interval '1 hour', (m * 7 + extract(hour from t)::int * 13) % 900,"
                    + " case when extract(doy from t)::int % 50 = 0 then 'ESTIMATED' else '' end"
                    + " from generate_series(0, " + (seriesMeters - 1) + ") m,"
                    + " generate_series(timestamptz '2024-12-31 16:00+00', timestamptz '2025-12-31 15:00+00', interval '1 hour') t");
            for (String[] r : new String[][] {{"consumption_hourly", "time_bucket('1 hour', start_time)"},
                    {"consumption_daily", "time_bucket('1 day', start_time, 'Asia/Shanghai')"},
                    {"consumption_monthly", "time_bucket('1 month', start_time, 'Asia/Shanghai')"}}) {
                st.execute("insert into " + r[0] + " (meter_id, bucket, volume_l, intervals, flag_bits)"
                        + " select meter_id, " + r[1] + ", sum(volume_l), count(*),"
                        + " max(case when flags like '%ESTIMATED%' then 8 else 0 end)"
                        + " from consumption group by 1, 2");
            }
            st.execute("insert into consumption_monthly (meter_id, bucket, volume_l, intervals, flag_bits)"
                    + " select '4' || lpad(m::text, 13, '0'), time_bucket('1 month', b, 'Asia/Shanghai'),"
                    + " 1000 + (m * 31 + extract(month from b)::int * 7) % 20000, 720, 0"
                    + " from generate_series(0, " + (totalMeters - 1) + ") m,"
                    + " generate_series(timestamptz '2025-01-15 00:00+00', timestamptz '2025-12-15 00:00+00', interval '1 month') b");
            st.execute("vacuum analyze");
        }
        System.out.printf("loaded in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
}
