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
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.leak.FleetMonitor;
import org.meterhub.engine.leak.LeakDetector;
import org.meterhub.engine.leak.LeakKind;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.VeeSettings;

/**
 * Full streaming pipeline (validation, consumption, leak detectors) over N hourly readings of
 * M meters, meters in random order within each hour, after a warm-up pass, on one thread and on
 * one thread per core (meters partitioned by id); then, with the same readings held in
 * memory, DuckDB (in-process JDBC) computing the same interval consumption and daily
 * continuous-flow runs with window functions.
 *
 * <pre>java -Xmx5g -Dduck.memory=12GB -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.engine.EnginePipelineRun [readings] [meters] [--no-duckdb]</pre>
 * Defaults: 10 000 000 readings of 100 000 meters (the full scale is 100 M / 1 M). Both sides' totals of
 * what they compute the same way (hour pieces, litres, rollover and decrease pieces) are printed and compared; the run
 * exits 3 if they differ. Leak detections are printed, not compared: the query's continuous-flow rule is the engine's
 * of before issue 15, not today's detectors. {@code -Dduck.memory} caps DuckDB's
 * memory (its default, 80 % of RAM, plus the JVM's heap does not fit at 100 M); {@code -Dduck.explain=true}
 * prints DuckDB's profile of the query. Each engine pass is followed by the same pass with the leak detectors off
 * ({@link FleetMonitor#withoutLeakDetection()}) in the same process, and the on/off ratio is printed;
 * {@code -Dno.off=true} leaves the detectors-off passes out.
 */
public final class EnginePipelineRun {
    private static final long HOUR = 3_600_000L;
    private static final int GROUP = Integer.getInteger("group", 16);
    private static final long CAPACITY = org.meterhub.engine.meter.MeterInfo.CJT188_CAPACITY_L;
    private static final int ROLLOVER = IntervalSink.bit(IntervalFlag.ROLLOVER);
    private static final int DECREASE = IntervalSink.bit(IntervalFlag.REGISTER_DECREASE);

    /**
     * What a pass computed that DuckDB's query computes the same way, compared with its answer: must be equal. Hour
     * pieces, litres, and the pieces of intervals flagged rollover and register decrease.
     */
    record Totals(long pieces, long litres, long rolloverPieces, long decreasePieces) {
    }

    /** Leak episodes the engine's detectors started (all kinds; of them continuous flow): reported, not compared. */
    record Detections(long all, long continuous) {
    }

    private static Totals engineTotals;
    private static Detections engineDetections;
    private static long engineFlags;

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
        // Registers start anywhere in the 8-digit register; 1 % of meters start just below its
        // capacity so they roll over during the run, and 0.1 % step back once (a register
        // decrease: flagged, counted as zero), so both rules are exercised and compared.
        for (int m = 0; m < meters; m++) {
            register[m] = m % 100 == 7 ? CAPACITY - 1 - rnd.nextInt(3_000) : rnd.nextLong(CAPACITY / 2);
        }
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
                register[m] = (register[m] + use) % CAPACITY;
                if (m % 1000 == 3 && h == hours / 2) register[m] = Math.max(0, register[m] - 500);
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
        // The detectors-off pass (FleetMonitor.withoutLeakDetection(): validation and consumption only) runs in the
        // same process, alternating with the detectors-on pass, so their ratio is of one machine window.
        boolean offPass = !Boolean.getBoolean("no.off");
        run(slot, time, volume, (int) total, meters, water, 1, false, true);
        if (offPass) run(slot, time, volume, (int) total, meters, water, 1, false, false);
        double engineRate = 0;
        int cores = Runtime.getRuntime().availableProcessors();
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            double on = run(slot, time, volume, (int) total, meters, water, threads, true, true);
            engineRate = Math.max(engineRate, on);
            if (offPass) {
                double off = run(slot, time, volume, (int) total, meters, water, threads, true, false);
                System.out.printf("engine, %d thread(s): detectors on/off %.1f %% (%,.0f / %,.0f readings/s)%n",
                        threads, 100 * on / off, on, off);
            }
        }
        if (!duck) return;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            long l0 = System.nanoTime();
            try (Statement st = c.createStatement()) {
                // At 100 M readings DuckDB's default (80 % of RAM) plus this JVM's heap exceeds the
                // machine: -Dduck.memory caps it (DuckDB then spills to duck.tmp).
                String memory = System.getProperty("duck.memory");
                if (memory != null) {
                    st.execute("set memory_limit = '" + memory + "'");
                    st.execute("set temp_directory = '" + System.getProperty("duck.tmp", "/tmp/duckdb-spill") + "'");
                }
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
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select version(), current_setting('threads'), current_setting('memory_limit')")) {
                rs.next();
                System.out.printf("duckdb %s, threads=%s (default), memory_limit=%s (%s)%n", rs.getString(1),
                        rs.getString(2), rs.getString(3), System.getProperty("duck.memory") == null ? "default" : "-Dduck.memory");
            }
            if (Boolean.getBoolean("duck.explain")) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("explain analyze " + duckQuery(CAPACITY))) {
                    while (rs.next()) System.out.println(rs.getString(2));
                }
            }
            long q0 = System.nanoTime();
            Totals duckTotals;
            long duckRuns;
            long longIntervals;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(duckQuery(CAPACITY))) {
                rs.next();
                duckTotals = new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                duckRuns = rs.getLong(5);
                longIntervals = rs.getLong(6);
            }
            long duckNs = System.nanoTime() - q0;
            double duckRate = total / (duckNs / 1e9);
            System.out.printf("duckdb: %s in %.2f s = %,.0f readings/s%n", duckTotals, duckNs / 1e9, duckRate);
            System.out.printf("engine: %s%n", engineTotals);
            if (longIntervals != 0) {
                throw new IllegalStateException(longIntervals + " intervals longer than an hour: the query splits into at most two hours");
            }
            boolean same = duckTotals.equals(engineTotals);
            System.out.printf("totals (hour pieces, litres, rollover pieces, decrease pieces) engine vs duckdb: %s%n",
                    same ? "MATCH" : "DIFFER");
            // Not compared: the engine's detectors (LeakProfile water defaults: quiet blocks, learnt nights, hour
            // floor, ...) are not what the query's run rule is; it stays in the query so the timing is of the same
            // work as the runs documented in docs/metering-engine.md.
            System.out.printf("leak detections (reported, not compared): engine %,d episodes started, %,d of them"
                    + " continuous flow; duckdb %,d runs of >= 24 completed hours >= 13 L/h (the engine's continuous-flow"
                    + " rule before issue 15)%n", engineDetections.all(), engineDetections.continuous(), duckRuns);
            System.out.printf("ratio engine (best of the passes above)/duckdb: %.2f (goal >= 1.5)%n", engineRate / duckRate);
            // A lower bound for any formulation: interval consumption alone (LAG, rollover, sum), no
            // hour split and no detection. If the engine beats even this, the ratio above does not
            // hinge on how the detection was written in SQL.
            long b0 = System.nanoTime();
            long boundLitres;
            String bound = "select sum(case when v >= pv then v - pv when pv > %1$d and v < %2$d then %3$d - pv + v else 0 end)"
                    + " from (select v, lag(v) over (partition by meter order by t) as pv from r) where pv is not null";
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(bound.formatted(CAPACITY / 10 * 9, CAPACITY / 10, CAPACITY))) {
                rs.next();
                boundLitres = rs.getLong(1);
            }
            long boundNs = System.nanoTime() - b0;
            double boundRate = total / (boundNs / 1e9);
            System.out.printf("duckdb, interval consumption only (lower bound): %,d L in %.2f s = %,.0f readings/s;"
                    + " engine (full pipeline)/that: %.2f%n", boundLitres, boundNs / 1e9, boundRate, engineRate / boundRate);
            if (!same || boundLitres != engineTotals.litres()) System.exit(3);
        }
    }

    /**
     * The engine's rules as one query: interval consumption from neighbouring readings (rollover
     * from the top to the bottom tenth of the register, any other decrease a zero interval, gaps
     * over 2 h unknown), intervals split at clock hours in proportion to time in whole litres
     * (largest remainder, ties to the earlier hour), hourly volumes, the last hour of each meter
     * left open (the engine completes an hour only when a later one starts), and the engine's continuous-flow
     * rule before issue 15: each run of completed hours at or above 13 L/h (0.5 % of Q3 of DN15) that reaches 24
     * hours is one detection (gaps-and-islands with window functions). Today's detectors decide otherwise, so that
     * count is reported beside the engine's, not compared; the query keeps the rule so its timing stays of the same
     * work as the documented runs. The split handles intervals of
     * up to an hour (two pieces); the query counts longer ones so the run can refuse them.
     */
    static String duckQuery(long capacity) {
        long top = capacity / 10 * 9;
        long bottom = capacity / 10;
        return """
                with d as (
                  select meter, t, v, lag(t) over w as pt, lag(v) over w as pv
                  from r window w as (partition by meter order by t)),
                c as (
                  select meter, pt as a, t as b, (pt // 3600000 + 1) * 3600000 as cut,
                         case when v >= pv then v - pv when pv > %1$d and v < %2$d then %3$d - pv + v else 0 end as litres,
                         (v < pv and pv > %1$d and v < %2$d) as rollover,
                         (v < pv and not (pv > %1$d and v < %2$d)) as decrease,
                         (t - pt > 7200000) as spread
                  from d where pt is not null),
                s as (
                  select *, litres * (cut - a) // (b - a) as q0, litres * (cut - a) %% (b - a) as r0,
                            litres * (b - cut) // (b - a) as q1, litres * (b - cut) %% (b - a) as r1
                  from c),
                p as (
                  select meter, rollover, decrease, spread, a // 3600000 + k.i as hour,
                         case when cut >= b then litres
                              when k.i = 0 then q0 + case when litres - q0 - q1 > 0 and r0 >= r1 then 1 else 0 end
                              else q1 + case when litres - q0 - q1 > 0 and r1 > r0 then 1 else 0 end end as v,
                         (b - a > 3600000) as long_interval
                  from s, (values (0), (1)) k(i) where k.i = 0 or cut < b),
                h as materialized (
                  select meter, hour, sum(v) as litres, bool_or(spread) as unknown,
                         count(*) as pieces, count(*) filter (where rollover) as rollovers,
                         count(*) filter (where decrease) as decreases, count(*) filter (where long_interval) as longs
                  from p group by all),
                o as (
                  select meter, hour, not unknown and litres >= 13 as flowing, lead(hour) over w is not null as complete,
                         sum(case when not unknown and litres >= 13 then 0 else 1 end) over (w rows unbounded preceding) as island
                  from h window w as (partition by meter order by hour)),
                runs as (
                  select count(*) as len from o where flowing and complete group by meter, island)
                select sum(pieces), sum(litres), sum(rollovers), sum(decreases),
                       (select count(*) from runs where len >= 24), sum(longs)
                from h
                """.formatted(top, bottom, capacity);
    }

    /** One engine pass over all readings; returns readings/s. */
    private static double run(int[] slot, long[] time, long[] volume, int total, int meters, MeterClass water,
                              int threads, boolean report, boolean detectors) throws InterruptedException {
        if (threads == 1) {
            return run(new int[][] {slot}, new long[][] {time}, new long[][] {volume}, total, meters, water, report, detectors);
        }
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
        return run(ps, pt, pv, total, meters, water, report, detectors);
    }

    /** One pass, each thread over its partition; {@code detectors} false: the detectors-off peer. */
    private static double run(int[][] ps, long[][] pt, long[][] pv, int total, int meters, MeterClass water,
                              boolean report, boolean detectors) throws InterruptedException {
        int threads = ps.length;
        FleetMonitor[] monitors = new FleetMonitor[threads];
        long[] detections = new long[threads];
        long[] flags = new long[threads];
        long[] litres = new long[threads];
        long[] rollovers = new long[threads];
        long[] decreases = new long[threads];
        long[] continuous = new long[threads];
        for (int p = 0; p < threads; p++) {
            int q = p;
            monitors[p] = new FleetMonitor(List.of(water), LeakProfile.Settings.defaults(), VeeSettings.defaults(),
                    ZoneId.of("Asia/Shanghai"), meters / threads + 1, id -> Optional.empty(),
                    (s, t, kind, a, b) -> flags[q]++,
                    (s, e) -> {
                        if (e.phase() != LeakDetector.Phase.START) return; // one detection per leak episode
                        detections[q]++;
                        if (e.kind() == LeakKind.CONTINUOUS_FLOW) continuous[q]++;
                    },
                    (s, a, b, v, f) -> {
                        litres[q] += v;
                        if ((f & ROLLOVER) != 0) rollovers[q]++;
                        if ((f & DECREASE) != 0) decreases[q]++;
                    });
            if (!detectors) monitors[p].withoutLeakDetection();
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
        long pieces = 0;
        for (FleetMonitor m : monitors) pieces += m.intervals();
        Totals totals = new Totals(pieces, java.util.Arrays.stream(litres).sum(), java.util.Arrays.stream(rollovers).sum(),
                java.util.Arrays.stream(decreases).sum());
        Detections found = new Detections(java.util.Arrays.stream(detections).sum(), java.util.Arrays.stream(continuous).sum());
        long flagCount = java.util.Arrays.stream(flags).sum();
        if (detectors) {
            if (engineTotals != null && (!engineTotals.equals(totals) || !engineDetections.equals(found))) {
                throw new IllegalStateException("passes disagree: " + engineTotals + " " + engineDetections + " vs " + totals
                        + " " + found);
            }
            engineTotals = totals;
            engineDetections = found;
            engineFlags = flagCount;
        } else if (engineTotals != null && (engineTotals.pieces() != pieces || engineTotals.litres() != totals.litres()
                || engineFlags != flagCount)) { // validation and consumption are the same with the detectors off
            throw new IllegalStateException("detectors-off pass disagrees: " + engineTotals + " vs " + totals);
        }
        if (report && !detectors) {
            System.out.printf("engine, %d thread(s), detectors off: %,d readings in %.2f s = %,.0f readings/s; %,d intervals,"
                            + " %,d L, %,d flags; state %.1f bytes/meter%n", threads, total, engineNs / 1e9, rate, pieces,
                    totals.litres(), flagCount, java.util.Arrays.stream(monitors).mapToLong(FleetMonitor::stateBytes).sum()
                            / (double) meters);
        } else if (report) {
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
                    stateBytes / (double) meters, (FleetMonitor.STRIDE + LeakDetector.WORDS) * 8);
            long[] judging = new long[3];
            for (FleetMonitor m : monitors) {
                long[] c = m.judgingCounts();
                for (int j = 0; j < 3; j++) judging[j] += c[j];
            }
            System.out.printf("judging: %,d passes, %,d meter-hours judged in passes, %,d on the reading%n",
                    judging[0], judging[1], judging[2]);
        }
        return rate;
    }
}
