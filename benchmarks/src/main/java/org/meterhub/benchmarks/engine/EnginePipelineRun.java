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
 * M meters, meters in random order within each hour; then, with the same readings held in
 * memory, DuckDB (in-process JDBC) computing the same interval consumption and daily
 * continuous-flow flags with window functions.
 *
 * <pre>java -Xmx6g -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.engine.EnginePipelineRun [readings] [meters] [--no-duckdb]</pre>
 * Defaults: 10 000 000 readings of 100 000 meters (the full scale is 100 M / 1 M).
 */
public final class EnginePipelineRun {
    private static final long HOUR = 3_600_000L;

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
        long[] detections = new long[1];
        long[] flags = new long[1];
        long[] litres = new long[1];
        FleetMonitor monitor = new FleetMonitor(List.of(water), LeakProfile.Settings.defaults(), VeeSettings.defaults(),
                ZoneId.of("Asia/Shanghai"), meters, id -> Optional.empty(), (s, t, kind, a, b) -> flags[0]++,
                (s, kind, at, since, rate) -> detections[0]++, (s, a, b, v, f) -> litres[0] += v);
        for (int m = 0; m < meters; m++) monitor.keys().slotOfNumber(30_000_000_000_000L + m, 14);
        System.gc();
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        for (int i = 0; i < total; i++) {
            int s = monitor.keys().slotOfNumber(30_000_000_000_000L + slot[i], 14);
            monitor.reading(s, time[i], time[i] + 2_000, volume[i], 0, 0, true);
        }
        long engineNs = System.nanoTime() - t0;
        System.gc();
        long heapAfter = usedHeap();
        double engineRate = total / (engineNs / 1e9);
        System.out.printf("engine: %,d readings in %.2f s = %,.0f readings/s; %,d intervals, %,d L, %,d flags, %,d leak detections%n",
                total, engineNs / 1e9, engineRate, monitor.intervals(), litres[0], flags[0], detections[0]);
        System.out.printf("engine state: %.1f bytes/meter as allocated (arrays incl. key table); heap growth during run %.1f bytes/meter%n",
                monitor.stateBytesPerMeter(), (heapAfter - heapBefore) / (double) meters);
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
            System.out.printf("ratio engine/duckdb: %.2f (goal >= 1.5)%n", engineRate / duckRate);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
