package org.meterhub.benchmarks.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.meterhub.engine.leak.FleetMonitor;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.VeeSettings;

/**
 * Full streaming pipeline (validation, consumption, leak detectors) over N hourly readings of
 * M meters, meters in random order within each hour, after a warm-up pass, on one thread and on
 * one thread per core (meters partitioned by id); then, with the same readings held in
 * memory, DuckDB (in-process JDBC) computing the same interval consumption and daily
 * continuous-flow flags with window functions.
 *
 * <pre>java -Xmx6g -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.engine.EnginePipelineRun [readings] [meters] [--no-duckdb]</pre>
 * Defaults: 10 000 000 readings of 100 000 meters (the full scale is 100 M / 1 M).
 */
public final class EnginePipelineRun {
    private static final long HOUR = 3_600_000L;
    private static final int GROUP = Integer.getInteger("group", 16);

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 10_000_000L;
        int meters = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 100_000;
        boolean duck = args.length <= 2 || !args[2].equals("--no-duckdb");
        int hours = (int) (n / meters);
        long total = (long) hours * meters;
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("at most ~2 billion readings per run");
        System.out.printf("generating %,d readings: %,d meters x %,d hourly reads, meters in random order%n", total, meters, hours);
        int[] slot = new int[(int) total];
        long[] time = new long[(int) total];
        long[] volume = new long[(int) total];
        long start = Instant.parse("2026-10-31T16:00:00Z").toEpochMilli();
        SplittableRandom rnd = new SplittableRandom(42);
        long[] register = new long[meters];
        int[] order = new int[meters];
        for (int m = 0; m < meters; m++) order[m] = m;
        int k = 0;
        for (int h = 0; h < hours; h++) {
            for (int i = meters - 1; i > 0; i--) { // shuffle: random meter order each hour
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int localHour = h % 24;
            for (int i = 0; i < meters; i++) {
                int m = order[i];
                long use = (localHour >= 1 && localHour <= 5) ? (rnd.nextInt(50) == 0 ? 30 : 0) : rnd.nextInt(120);
                if (m % 50 == 0 && h > 48) use += 60; // 2 % of meters leak from day 2
                register[m] = (register[m] + use) % 1_000_000_000L;
                slot[k] = m;
                time[k] = start + h * HOUR + (m % 60) * 60_000L;
                volume[k] = register[m];
                k++;
            }
        }
        MeterClass water = MeterClass.householdWater();
        // Warm-up pass (JIT), not counted; then measured passes with fresh state, one thread and
        // then one thread per core, each owning the meters of its partition (meter id modulo the
        // thread count), as the MQTT intake's partitions feed one engine each.
        run(slot, time, volume, (int) total, meters, water, 1, false);
        double engineRate = 0;
        int cores = Runtime.getRuntime().availableProcessors();
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            engineRate = Math.max(engineRate, run(slot, time, volume, (int) total, meters, water, threads, true));
        }
        if (!duck) return;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            long l0 = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.execute("create table r (meter integer, t bigint, v bigint)");
            }
            try (var app = ((org.duckdb.DuckDBConnection) c).createAppender("main", "r")) {
                for (int i = 0; i < total; i++) {
                    app.beginRow();
                    app.append(slot[i]);
                    app.append(time[i]);
                    app.append(volume[i]);
                    app.endRow();
                }
            }
            System.out.printf("duckdb: loaded in %.2f s (not counted)%n", (System.nanoTime() - l0) / 1e9);
            String sql = """
                    with d as (
                      select meter, t, v - lag(v) over (partition by meter order by t) as dv,
                             t - lag(t) over (partition by meter order by t) as dt
                      from r),
                    c as (
                      select meter, t, case when dv < 0 and dv < -900000000 then dv + 1000000000
                                            when dv < 0 then 0 else dv end as litres, dt
                      from d where dv is not null),
                    h as (
                      select meter, (t + 28800000) // 86400000 as day, count(*) as hours,
                             min(litres * 3600000 // dt) as min_rate, sum(litres) as litres
                      from c group by all)
                    select count(*), sum(litres), sum(case when hours >= 24 and min_rate >= 13 then 1 else 0 end)
                    from h""";
            long q0 = System.nanoTime();
            long days;
            long sumL;
            long flagged;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                days = rs.getLong(1);
                sumL = rs.getLong(2);
                flagged = rs.getLong(3);
            }
            long duckNs = System.nanoTime() - q0;
            double duckRate = total / (duckNs / 1e9);
            System.out.printf("duckdb: %,d meter-days, %,d L, %,d continuous-flow days in %.2f s = %,.0f readings/s%n",
                    days, sumL, flagged, duckNs / 1e9, duckRate);
            System.out.printf("ratio engine (best of the passes above)/duckdb: %.2f (goal >= 1.5)%n", engineRate / duckRate);
        }
    }

    /** One engine pass over all readings; returns readings/s. */
    private static double run(int[] slot, long[] time, long[] volume, int total, int meters, MeterClass water,
                              int threads, boolean report) throws InterruptedException {
        int[][] ps = new int[threads][];
        long[][] pt = new long[threads][];
        long[][] pv = new long[threads][];
        int[] count = new int[threads];
        for (int i = 0; i < total; i++) count[slot[i] % threads]++;
        for (int p = 0; p < threads; p++) {
            ps[p] = new int[count[p]];
            pt[p] = new long[count[p]];
            pv[p] = new long[count[p]];
            count[p] = 0;
        }
        for (int i = 0; i < total; i++) { // the partitioning is the transport's work, not counted
            int p = slot[i] % threads;
            int k = count[p]++;
            ps[p][k] = slot[i];
            pt[p][k] = time[i];
            pv[p][k] = volume[i];
        }
        FleetMonitor[] monitors = new FleetMonitor[threads];
        long[] detections = new long[threads];
        long[] flags = new long[threads];
        long[] litres = new long[threads];
        for (int p = 0; p < threads; p++) {
            int q = p;
            monitors[p] = new FleetMonitor(List.of(water), LeakProfile.Settings.defaults(), VeeSettings.defaults(),
                    ZoneId.of("Asia/Shanghai"), meters / threads + 1, id -> Optional.empty(),
                    (s, t, kind, a, b) -> flags[q]++, (s, kind, at, since, rate) -> detections[q]++,
                    (s, a, b, v, f) -> litres[q] += v);
            for (int m = p; m < meters; m += threads) monitors[p].keys().slotOfNumber(30_000_000_000_000L + m, 14);
        }
        System.gc();
        Thread[] workers = new Thread[threads];
        long t0 = System.nanoTime();
        for (int p = 0; p < threads; p++) {
            int q = p;
            workers[p] = new Thread(() -> {
                FleetMonitor monitor = monitors[q];
                int[] sl = ps[q];
                long[] ti = pt[q];
                long[] vo = pv[q];
                // In groups: look up the slots, load the state blocks, then process, so the
                // memory accesses of a group overlap (FleetMonitor.prefetch).
                int[] group = new int[GROUP];
                for (int i0 = 0; i0 < sl.length; i0 += GROUP) {
                    int n = Math.min(GROUP, sl.length - i0);
                    for (int k = 0; k < n; k++) group[k] = monitor.keys().slotOfNumber(30_000_000_000_000L + sl[i0 + k], 14);
                    for (int k = 0; k < n; k++) monitor.prefetch(group[k]);
                    for (int k = 0; k < n; k++) {
                        int i = i0 + k;
                        monitor.reading(group[k], ti[i], ti[i] + 2_000, vo[i], 0, 0, true);
                    }
                }
            }, "engine-" + p);
            workers[p].start();
        }
        for (Thread w : workers) w.join();
        long engineNs = System.nanoTime() - t0;
        double rate = total / (engineNs / 1e9);
        if (report) {
            long intervals = 0;
            long stateBytes = 0;
            for (FleetMonitor m : monitors) {
                intervals += m.intervals();
                stateBytes += m.stateBytes();
            }
            System.out.printf("engine, %d thread(s): %,d readings in %.2f s = %,.0f readings/s; %,d intervals, %,d L,"
                            + " %,d flags, %,d leak detections%n", threads, total, engineNs / 1e9, rate, intervals,
                    java.util.Arrays.stream(litres).sum(), java.util.Arrays.stream(flags).sum(),
                    java.util.Arrays.stream(detections).sum());
            System.out.printf("engine state: %.1f bytes/meter as allocated (one %d-byte block per meter + key table)%n",
                    stateBytes / (double) meters, FleetMonitor.STRIDE * 8);
        }
        return rate;
    }
}
