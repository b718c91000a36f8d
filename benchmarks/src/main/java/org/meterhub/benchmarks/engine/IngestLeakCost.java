package org.meterhub.benchmarks.engine;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.meterhub.benchmarks.store.ServerCpu;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.FencedStore;
import org.meterhub.engine.intake.LeaseFences;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.simulators.usage.LeakScenarioFleet;

/**
 * What the leak detectors cost on the engine's real ingest path (issue 15): the same hourly readings of M meters x D
 * days ({@link LeakScenarioFleet}: water and gas households, a few water leaks, gaps, readings sent twice, stuck
 * registers) streamed in time order through the pipeline as {@code engine-intake} wires it ({@link IngestPipeline#withRules}
 * with {@link IngestRules#forStore} on the store's URL, into a {@link FencedStore} holding the partition's fence) into a
 * fresh store, in rounds alternating detectors off, on, off, on ({@link IngestRules.Options#withLeakDetection}, the
 * YAML's {@code leak.enabled}), each into its own new database (SQLite file or PostgreSQL database) with the same
 * meters registered first (not timed).
 *
 * <p>Per round: readings/s by the wall clock from the first reading accepted to the last one committed (flush), CPU
 * seconds of this JVM and, on PostgreSQL, of the database's server processes (/proc/PID/stat, as {@code BillRunBench}),
 * the heap after a full GC with the pipeline still alive, leak detections and leak alarms in the store. The run checks
 * that the work compared is real: every "on" round raises leak alarms, no "off" round raises one, and both modes store
 * the same readings and intervals (exit 3 otherwise).
 *
 * <pre>java -Xmx2g [-Drounds=3] [-Dstores=sqlite,postgresql] [-Dleak.share=0.05] [-Dwarmup.days=7] [-Dseed=15]
 *   [-Dpg.admin=jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres] [-Ddir=/tmp] [-Ddb.prefix=enginepath]
 *   -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.engine.IngestLeakCost [meters] [days]</pre>
 * Defaults: 2 000 meters x 14 days, 3 rounds per mode per store. The fleet's zone is the engine's default zone (the
 * night windows line up as they do for a deployment that leaves {@code zone} unset).
 */
public final class IngestLeakCost {

    private IngestLeakCost() {
    }

    /** The fleet's readings in the order a live engine receives them: by time, meters interleaved. */
    record Stream(String[] ids, Medium[] media, long[] firstRegister, int[] meter, long[] time, long[] register,
                  Instant start, int leakingMeters) {
        int size() {
            return meter.length;
        }
    }

    /** One round's outcome. */
    record Round(String store, boolean on, int index, long readings, double seconds, double jvmCpu, double writerCpu,
                 double serverCpu,
                 long heapAfterGc, long stored, long intervals, long leakDetections, long leakAlarms, long otherAlarms,
                 long rowsReadings, long rowsIntervals, String load) {
        double rate() {
            return readings / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int meters = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 2_000;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 14;
        int rounds = Integer.getInteger("rounds", 3);
        List<String> stores = List.of(System.getProperty("stores", "sqlite,postgresql").split(","));
        Stream s = generate(meters, days, Double.parseDouble(System.getProperty("leak.share", "0.05")),
                Integer.getInteger("warmup.days", Math.min(7, days / 2)), Long.getLong("seed", 15));
        System.out.printf(Locale.ROOT, "%,d meters x %d days: %,d readings from %s (%d water meters with an injected leak);"
                        + " %d rounds per mode per store; load average %s; %d cores; max heap %d MiB%n", meters, days, s.size(),
                s.start(), s.leakingMeters(), rounds, loadAverage(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        Stream warm = subset(s, Math.max(1, meters / 10));
        boolean ok = true;
        for (String store : stores) {
            // Warm-up (JIT, the store's own code paths) on a tenth of the meters, both modes, not counted.
            for (boolean on : new boolean[] {false, true}) round(store, warm, on, -1);
            List<Round> done = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                for (boolean on : new boolean[] {false, true}) {
                    Round r = round(store, s, on, i + 1);
                    done.add(r);
                    System.out.printf(Locale.ROOT, "  %-10s round %d detectors %-3s: %,d readings in %.1f s = %,.0f readings/s;"
                                    + " CPU JVM %.1f s (the pipeline's writer thread %.1f s)%s; heap after GC %d MiB; stored %,d readings, %,d intervals (rows %,d / %,d);"
                                    + " leak detections %,d, leak alarms %,d, other alarms %,d; load %s%n", store, r.index(),
                            r.on() ? "on" : "off", r.readings(), r.seconds(), r.rate(), r.jvmCpu(), r.writerCpu(),
                            store.equals("postgresql") ? String.format(Locale.ROOT, ", PostgreSQL backends %.1f s", r.serverCpu()) : "",
                            r.heapAfterGc() >> 20, r.stored(), r.intervals(), r.rowsReadings(), r.rowsIntervals(),
                            r.leakDetections(), r.leakAlarms(), r.otherAlarms(), r.load());
                }
            }
            ok &= check(done);
            summary(store, done);
        }
        System.out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
        if (!ok) System.exit(3);
    }

    /**
     * The real-work checks: on raises leak alarms, off none, and both store the same readings and intervals. Also
     * the round-to-round equality within a mode (the data and the rules are deterministic).
     */
    static boolean check(List<Round> rounds) {
        boolean ok = true;
        Round first = rounds.get(0);
        for (Round r : rounds) {
            String what = r.store() + " round " + r.index() + " detectors " + (r.on() ? "on" : "off");
            if (r.on() && (r.leakDetections() == 0 || r.leakAlarms() == 0)) {
                System.out.println("CHECK FAILED: " + what + " raised no leak alarm");
                ok = false;
            }
            if (!r.on() && (r.leakDetections() != 0 || r.leakAlarms() != 0)) {
                System.out.println("CHECK FAILED: " + what + " raised leak alarms with the detectors off");
                ok = false;
            }
            if (r.stored() != first.stored() || r.intervals() != first.intervals() || r.rowsReadings() != first.rowsReadings()
                    || r.rowsIntervals() != first.rowsIntervals() || r.otherAlarms() != first.otherAlarms()) {
                System.out.println("CHECK FAILED: " + what + " stored other readings, intervals or non-leak alarms than "
                        + first.store() + " round " + first.index());
                ok = false;
            }
        }
        System.out.printf("checks (%s): on rounds raise leak alarms, off rounds none, same readings, intervals and other"
                + " alarms in every round: %s%n", first.store(), ok ? "PASS" : "FAIL");
        return ok;
    }

    private static void summary(String store, List<Round> rounds) {
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int i = 0; i + 1 < rounds.size(); i += 2) {
            Round off = rounds.get(i);
            Round on = rounds.get(i + 1);
            ratios.add(on.rate() / off.rate());
            cpuRatios.add((off.jvmCpu() + off.serverCpu()) / (on.jvmCpu() + on.serverCpu()));
        }
        double offRate = median(rounds.stream().filter(r -> !r.on()).map(Round::rate).toList());
        double onRate = median(rounds.stream().filter(Round::on).map(Round::rate).toList());
        double offCpu = median(rounds.stream().filter(r -> !r.on()).map(r -> r.jvmCpu() + r.serverCpu()).toList());
        double onCpu = median(rounds.stream().filter(Round::on).map(r -> r.jvmCpu() + r.serverCpu()).toList());
        double offWriter = median(rounds.stream().filter(r -> !r.on()).map(Round::writerCpu).toList());
        double onWriter = median(rounds.stream().filter(Round::on).map(Round::writerCpu).toList());
        long n = rounds.get(0).readings();
        System.out.printf(Locale.ROOT, "%s: the pipeline's writer thread, median CPU off %.1f s, on %.1f s: the detectors"
                + " add %.2f us per reading (%.1f %%)%n", store, offWriter, onWriter, (onWriter - offWriter) * 1e6 / n,
                100 * (onWriter - offWriter) / offWriter);
        System.out.printf(Locale.ROOT, "%s: median off %,.0f readings/s, on %,.0f readings/s; on/off per pair %s, median %.3f"
                        + " (goal >= 0.80); CPU (JVM%s) median off %.1f s = %,.0f readings per CPU-second, on %.1f s = %,.0f;"
                        + " off/on CPU per pair %s, median %.3f%n", store, offRate, onRate, fmt(ratios), median(ratios),
                store.equals("postgresql") ? " + PostgreSQL backends" : "", offCpu, n / offCpu, onCpu, n / onCpu,
                fmt(cpuRatios), median(cpuRatios));
    }

    private static String fmt(List<Double> xs) {
        return xs.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList().toString();
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (a.length == 0) return Double.NaN;
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Every meter's readings, generated meter by meter, then put in time order (meters interleaved, as received). */
    static Stream generate(int meters, int days, double leakShare, int warmupDays, long seed) {
        // The engine's default zone (engine-intake sets none): the households' nights are the detectors' nights.
        java.time.ZoneId zone = IngestRules.Options.defaults().zone();
        // Recent days, as a live engine receives them (the partitions a store makes are for recent times too).
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(days + 1L));
        LeakScenarioFleet fleet = new LeakScenarioFleet(new LeakScenarioFleet.Settings(meters, days, seed, start, zone,
                warmupDays, leakShare, 0.2, 0.1));
        String[] ids = new String[meters];
        Medium[] media = new Medium[meters];
        long[] first = new long[meters];
        long[][] times = new long[meters][];
        long[][] registers = new long[meters][];
        int total = 0;
        int leaking = 0;
        for (int m = 0; m < meters; m++) {
            ids[m] = fleet.meterId(m);
            media[m] = fleet.gas(m) ? Medium.GAS : Medium.WATER;
            if (!fleet.leaks(m).isEmpty()) leaking++;
            long[] t = new long[days * 24 + 64];
            long[] v = new long[t.length];
            int[] n = {0};
            fleet.generate(m, (id, ms, reg) -> {
                t[n[0]] = ms;
                v[n[0]++] = reg;
            });
            times[m] = Arrays.copyOf(t, n[0]);
            registers[m] = Arrays.copyOf(v, n[0]);
            first[m] = n[0] > 0 ? v[0] : 0;
            total += n[0];
        }
        return interleave(ids, media, first, times, registers, start, leaking, total);
    }

    /**
     * Sorts by (time, meter): each meter's readings keep their order (a reading sent twice stays next to itself), and
     * meters are interleaved as a live engine receives them.
     */
    static Stream interleave(String[] ids, Medium[] media, long[] first, long[][] times, long[][] registers, Instant start,
                             int leaking, int total) {
        long t0 = start.toEpochMilli();
        long[] keys = new long[total];
        int k = 0;
        for (int m = 0; m < ids.length; m++) {
            for (long t : times[m]) {
                long rel = t - t0;
                if (rel < 0 || rel >= 1L << 41) throw new IllegalArgumentException("reading time out of range: " + t);
                keys[k++] = rel << 22 | m; // 41 bits of milliseconds (69 years), 22 of meter (4 M meters)
            }
        }
        if (ids.length > 1 << 22) throw new IllegalArgumentException("at most 4 M meters");
        Arrays.sort(keys);
        int[] cursor = new int[ids.length];
        int[] meter = new int[total];
        long[] time = new long[total];
        long[] register = new long[total];
        for (int i = 0; i < total; i++) {
            int m = (int) (keys[i] & ((1 << 22) - 1));
            meter[i] = m;
            time[i] = t0 + (keys[i] >>> 22);
            register[i] = registers[m][cursor[m]++];
        }
        return new Stream(ids, media, first, meter, time, register, start, leaking);
    }

    /** The first {@code n} meters' readings only (the warm-up). */
    private static Stream subset(Stream s, int n) {
        int count = 0;
        for (int m : s.meter()) if (m < n) count++;
        int[] meter = new int[count];
        long[] time = new long[count];
        long[] register = new long[count];
        int k = 0;
        for (int i = 0; i < s.size(); i++) {
            if (s.meter()[i] >= n) continue;
            meter[k] = s.meter()[i];
            time[k] = s.time()[i];
            register[k++] = s.register()[i];
        }
        return new Stream(Arrays.copyOf(s.ids(), n), Arrays.copyOf(s.media(), n), Arrays.copyOf(s.firstRegister(), n),
                meter, time, register, s.start(), 0);
    }

    /** One round into a new database; {@code index} below 1 is the warm-up (nothing printed). */
    private static Round round(String kind, Stream s, boolean on, int index) throws Exception {
        String label = (on ? "on" : "off") + (index < 1 ? "_warm" : "_" + index);
        String prefix = System.getProperty("db.prefix", "enginepath");
        String url;
        Path file = null;
        String admin = System.getProperty("pg.admin", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        if (kind.equals("sqlite")) {
            Path dir = Path.of(System.getProperty("dir", System.getProperty("java.io.tmpdir")));
            file = dir.resolve(prefix + "_ingestleak_" + label + "_" + ProcessHandle.current().pid() + ".db");
            deleteSqlite(file);
            url = "jdbc:sqlite:" + file;
        } else if (kind.equals("postgresql")) {
            String name = prefix + "_ingestleak_" + label;
            try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + name + " with (force)");
                st.execute("create database " + name);
            }
            url = admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
        } else {
            throw new IllegalArgumentException("stores: sqlite or postgresql, got " + kind);
        }
        try {
            return round(kind, url, s, on, index);
        } finally {
            if (file != null) {
                deleteSqlite(file);
            } else {
                String name = url.replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
                try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
                    st.execute("drop database if exists " + name + " with (force)");
                }
            }
        }
    }

    private static void deleteSqlite(Path file) throws java.io.IOException {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }

    private static Round round(String kind, String url, Stream s, boolean on, int index) throws Exception {
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            // The meters' records, as a utility registers them before they report (import or the meters file).
            for (int m = 0; m < s.ids().length; m++) {
                db.saveProfile(new MeterProfile(new MeterInfo(s.ids()[m], s.media()[m], s.firstRegister()[m],
                        s.start(), MeterInfo.CJT188_CAPACITY_L), "NB-IoT", null, null, null, null, null, null, MeterRole.CUSTOMER));
            }
            // As engine-intake: appends fenced by the partition's token (one partition: this engine holds all meters),
            // rule records (flags, corrections, alarms) in the store through their own connection.
            LeaseFences fences = new LeaseFences(db, "enginepath-bench", 1);
            fences.take(0);
            IngestRules.Options options = IngestRules.Options.defaults().withLeakDetection(on);
            IngestPipeline p = IngestPipeline.withRules(new FencedStore(db, fences),
                    IngestRules.forStore(url, AlarmSink.none(), Clock.systemUTC(), options));
            boolean pg = kind.equals("postgresql");
            List<Integer> backends0 = pg ? ServerCpu.backends(url) : List.of();
            // The pipeline's writer thread: the rules (consumption, validation, the detectors) and the store's appends.
            long writer = writerThread();
            java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            System.gc();
            long writer0 = threads.getThreadCpuTime(writer);
            long server0 = ServerCpu.ticks(backends0);
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            String[] ids = s.ids();
            int[] meter = s.meter();
            long[] time = s.time();
            long[] register = s.register();
            for (int i = 0; i < meter.length; i++) {
                Instant t = Instant.ofEpochMilli(time[i]);
                p.accept(new Reading(ids[meter[i]], t, t.plusSeconds(2), register[i], ReadingSource.MQTT, Set.of(), 0));
            }
            p.flush(); // timed up to the last commit
            long n = meter.length;
            double seconds = (System.nanoTime() - t0) / 1e9;
            double jvmCpu = (processCpuNanos() - cpu0) / 1e9;
            double writerCpu = (threads.getThreadCpuTime(writer) - writer0) / 1e9;
            List<Integer> backends1 = pg ? ServerCpu.backends(url) : List.of();
            Set<Integer> started = new HashSet<>(backends1);
            started.removeAll(backends0);
            // Connections opened during the round count from their start; those open before, from the round's start.
            double serverCpu = pg ? (ServerCpu.ticks(backends0) - server0 + ServerCpu.ticks(new ArrayList<>(started)))
                    / (double) ServerCpu.CLOCK_TICKS : 0;
            String load = loadAverage();
            long heap = heapAfterGc(); // the pipeline (its per-meter state) still alive
            IngestPipeline.IngestStats st = p.stats();
            p.close();
            long[] alarms = alarms(url);
            return new Round(kind, on, index, n, seconds, jvmCpu, writerCpu, serverCpu, heap, st.stored(), st.intervals(),
                    st.leakDetections(), alarms[0], alarms[1], count(url, "readings"), count(url, "consumption"), load);
        }
    }

    /** The id of the newest live thread named engine-ingest (the pipeline just made; the warm-up's have stopped). */
    private static long writerThread() {
        long id = -1;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("engine-ingest") && t.isAlive()) id = Math.max(id, t.getId());
        }
        if (id < 0) throw new IllegalStateException("no engine-ingest thread");
        return id;
    }

    /** {leak alarms, other alarms} in the store's alarms table. */
    private static long[] alarms(String url) throws SQLException {
        long[] out = new long[2];
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select kind, count(*) from alarms group by kind")) {
            while (rs.next()) {
                boolean leak = AlarmKind.valueOf(rs.getString(1)).category() == AlarmKind.Category.LEAK;
                out[leak ? 0 : 1] += rs.getLong(2);
            }
        }
        return out;
    }

    private static long count(String url, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
