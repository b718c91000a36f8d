package org.meterhub.benchmarks.faults;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.intake.BatchEntry;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * The fault run of issue 21: simulated meters behind simulated DTUs (this JVM: they and their
 * ground truth outlive every process the run kills) dial into a forwarding {@code meterhub gateway}
 * (its own JVM, journal on a small tmpfs this run mounts), which forwards over a Mosquitto of this
 * run's own (persistence on, docs/mqtt.md settings) to {@code meterhub engine-intake} (its own JVM),
 * which stores into a PostgreSQL server of this run's own. Meanwhile the run restarts PostgreSQL
 * every quarter of the run (every 5 minutes in the 20-minute run), fills the journal's disk and frees
 * it, kills the broker and starts it again, and kills -9 the gateway and starts it again.
 *
 * <p>At the end every meter's clock stops, the store is compared with what each meter answered:
 * lost, doubled, last registers, consumption; with the time to resume after each fault and the heap
 * after a full GC and RSS of the gateway and the engine at start and end. The shared PostgreSQL and
 * Mosquitto are never touched. Needs root (tmpfs mount; PostgreSQL runs as {@code postgres}).
 *
 * <pre>scripts/fault-run.sh [--minutes 20] [--meters 1000] [--interval 3s] ...</pre>
 */
public final class FaultRun {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    // options
    private double minutes = 20;
    private int meters = 1000;
    private int dtus = -1;
    private Duration interval = Duration.ofSeconds(3);
    private long speed = 60;
    private Path jar = Path.of("app/target/meterhub.jar");
    private Path dir;
    /**
     * The heap is committed and touched at start (-Xms = -Xmx, AlwaysPreTouch), so RSS does not grow as heap pages
     * are first used; glibc is asked every 10 s to return what the JIT compiler's arenas freed (TrimNativeHeapInterval,
     * a product flag in current JDK 17 builds). Without both, RSS "grows" for an hour without any leak (docs).
     */
    static final String DEFAULT_JAVA_OPTS = "-Xms128m -Xmx128m -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:TrimNativeHeapInterval=10000";
    private String javaOpts = DEFAULT_JAVA_OPTS;
    private boolean keep;
    private long seed = 21;
    /** Engine heap/RSS samples between start and end (0: only start and end). */
    private Duration sampleEvery = Duration.ZERO;

    // the run
    private final long t0 = System.nanoTime();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private SimClock clock;
    private Cjt188Fleet fleet;
    private Pg pg;
    private Broker broker;
    private TmpfsDisk disk;
    private Child gateway;
    private Child engine;
    private int gatewayRuns;
    private int dtuPort;
    private Path gatewayConfig;
    private Path journalPath;
    private EventLoopGroup group;
    private Probe probe;
    private AlarmWatch alarms;
    /** Journal entries found in the dead gateway's journal just after the kill -9 (meter id + time). */
    private final Set<String> journalAtKill = new HashSet<>();
    private Instant killSimFrom;
    private Instant killSimAt;
    private double simStartAt;

    /** Seconds into the run at which the simulated clock showed {@code t}. */
    private double runSecondsAt(Instant t) {
        return simStartAt + Duration.between(clock.start(), t).toMillis() / 1000.0 / speed;
    }

    public static void main(String[] args) throws Exception {
        FaultRun run = new FaultRun();
        run.parse(args);
        System.exit(run.run());
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--minutes" -> { minutes = Double.parseDouble(v); i++; }
                case "--meters" -> { meters = Integer.parseInt(v); i++; }
                case "--dtus" -> { dtus = Integer.parseInt(v); i++; }
                case "--interval" -> { interval = duration(v); i++; }
                case "--speed" -> { speed = Long.parseLong(v); i++; }
                case "--jar" -> { jar = Path.of(v); i++; }
                case "--dir" -> { dir = Path.of(v); i++; }
                case "--java-opts" -> { javaOpts = v; i++; }
                case "--seed" -> { seed = Long.parseLong(v); i++; }
                case "--sample-every" -> { sampleEvery = duration(v); i++; }
                case "--keep" -> keep = true;
                case "-h", "--help" -> {
                    System.out.println("""
                            fault run: --minutes 20 --meters 1000 [--dtus meters/20] [--interval 3s] [--speed 60]
                              [--jar app/target/meterhub.jar] [--dir DIR] [--java-opts "-Xms128m -Xmx128m -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:TrimNativeHeapInterval=10000"] [--seed 21] [--keep]
                              [--sample-every 2m: heap, RSS (and NMT with -XX:NativeMemoryTracking) of the engine in between]""");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (--help)");
            }
        }
        if (dtus < 1) dtus = Math.max(1, meters / 20);
    }

    static Duration duration(String s) {
        if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        if (s.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        if (s.endsWith("m")) return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000));
        throw new IllegalArgumentException("a duration such as 500ms, 3s or 2m: " + s);
    }

    private double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void log(String fmt, Object... args) {
        String line = String.format(Locale.ROOT, "[%7.1f s] ", now()) + String.format(Locale.ROOT, fmt, args);
        System.out.println(line);
        events.add(line);
    }

    private int run() throws Exception {
        if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar + " is missing: build it first (scripts/fault-run.sh does)");
        if (dir == null) dir = Files.createTempDirectory("meterhub-faultrun-");
        Files.createDirectories(dir);
        runCommand(List.of("chmod", "755", dir.toString()), 10); // PostgreSQL (user postgres) has its data below it
        double runSeconds = minutes * 60;
        log("fault run: %d meters behind %d DTUs read every %s, %.1f min, simulated time %dx; work dir %s", meters, dtus,
                interval, minutes, speed, dir);
        log("machine: %d cores, load average %s, %s", Runtime.getRuntime().availableProcessors(), loadAverage(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            disk = TmpfsDisk.mount(dir.resolve("journal-disk"), 32);
            journalPath = disk.dir().resolve("journal.db");
            pg = Pg.start(dir.resolve("pg"));
            log("PostgreSQL of this run on 127.0.0.1:%d (%s)", pg.port, pg.bin);
            broker = Broker.start(dir.resolve("mosquitto"));
            log("Mosquitto of this run on 127.0.0.1:%d (persistence on, docs/mqtt.md settings)", broker.port);

            clock = new SimClock(Instant.now().truncatedTo(ChronoUnit.MINUTES), speed);
            simStartAt = now();
            fleet = Cjt188Fleet.create(meters, dtus, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), seed);
            try (MeterStore store = StoreFactory.open(pg.url())) {
                for (SimulatedCjt188Meter m : fleet.meters()) {
                    store.registerMeter(new MeterInfo(m.address().digits(), Medium.GAS, m.initialRegisterL(), clock.start(),
                            MeterInfo.CJT188_CAPACITY_L));
                }
            }
            probe = new Probe(pg.url());
            alarms = new AlarmWatch("tcp://127.0.0.1:" + broker.port);
            engine = startEngine();
            dtuPort = freePort();
            gatewayConfig = writeGatewayConfig();
            gateway = startGateway();
            fleet.meters().forEach(SimulatedCjt188Meter::recordAnswers);
            group = new NioEventLoopGroup(1);
            connectFleet();

            List<Step> plan = plan(runSeconds);
            for (Step s : plan) log("planned at %6.1f s: %s", s.at, s.name);
            for (Step s : plan) {
                double wait = s.at - now();
                if (wait > 0) Thread.sleep((long) (wait * 1000));
                s.action.run();
            }
            // End: stop the meters' clocks; the gateway keeps polling and the store must catch up with every register.
            sampleBoth("end");
            Instant frozen = clock.freeze();
            log("meters' clocks stopped at %s (simulated); waiting for every meter's last register in the store", frozen);
            awaitFinalRegisters(Duration.ofSeconds(240));
            for (Fault f : faults) f.join();
            gateway.stop();
            engine.stop();
            fleet.disconnectAll();
            try (Writer w = Files.newBufferedWriter(dir.resolve("sim-truth.csv"))) {
                fleet.writeTruth(w);
            }
            try (Writer w = Files.newBufferedWriter(dir.resolve("answers.csv"))) {
                w.write("meter,meter_time,register_l\n");
                for (SimulatedCjt188Meter m : fleet.meters()) {
                    for (SimulatedCjt188Meter.Answer a : m.answers()) {
                        w.write(m.address().digits() + "," + a.meterTime() + "," + a.registerL() + "\n");
                    }
                }
            }
            return report();
        } finally {
            if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (gateway != null) gateway.kill9();
            if (engine != null) engine.kill9();
            if (probe != null) probe.close();
            if (alarms != null) alarms.close();
            if (broker != null) broker.kill9();
            if (pg != null) pg.stopQuietly();
            if (disk != null) disk.close();
            if (!keep && pg != null) pg.deleteData();
            System.out.println("logs: " + dir);
        }
    }

    private record Step(double at, String name, Action action) {
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** Quarter-run PostgreSQL restarts; disk at 1/8, broker at 3/8, gateway kill -9 at 5/8; samples at start. */
    private List<Step> plan(double r) {
        double warm = Math.min(60, r / 10);
        double hold = Math.min(30, r / 30);
        double diskHold = Math.min(40, r / 30);
        List<Step> plan = new ArrayList<>();
        plan.add(new Step(warm, "heap and RSS of gateway and engine (start)", () -> sampleBoth("start")));
        plan.add(new Step(r / 8, String.format(Locale.ROOT, "fill the journal's disk, free it %.0f s after the journal failed", diskHold),
                () -> diskFull(diskHold)));
        int pgEvery = (int) Math.max(1, Math.round(r / 4 >= 300 ? 300 : r / 4));
        for (double t = pgEvery; t < r - 1; t += pgEvery) {
            plan.add(new Step(t, String.format(Locale.ROOT, "PostgreSQL stopped (immediate), started again after %.0f s", hold),
                    () -> pgRestart(hold)));
        }
        plan.add(new Step(r * 3 / 8, String.format(Locale.ROOT, "broker killed (-9), started again after %.0f s", hold),
                () -> brokerKill(hold)));
        double killHold = Math.min(5, r / 60);
        plan.add(new Step(r * 5 / 8, String.format(Locale.ROOT, "gateway killed (-9), started again after %.0f s", killHold),
                () -> gatewayKill(killHold)));
        plan.add(new Step(r * 5 / 8 + Math.max(killHold + warm, 10), "heap and RSS of the new gateway (start)",
                () -> sample(gateway, "gateway #" + gatewayRuns, "start")));
        double every = sampleEvery.toMillis() / 1000.0;
        for (double t = warm + every; every > 0 && t < r - every / 2; t += every) {
            String label = String.format(Locale.ROOT, "%.0f s", t);
            plan.add(new Step(t, "heap and RSS of the engine (" + label + ")", () -> sample(engine, "engine-intake", label)));
        }
        plan.add(new Step(r, "end of the run", () -> { }));
        plan.sort((a, b) -> Double.compare(a.at, b.at));
        return plan;
    }

    // ---------------------------------------------------------------- faults

    /**
     * Fills the journal's file system to the last byte. A journal without a backlog keeps writing into the WAL
     * pages it already has (4 MiB, reused after each checkpoint) and never meets the full disk; if it has not
     * failed after 10 s, the engine is stopped (SIGSTOP) until it does, so the backlog must grow the file, as
     * behind a slow or unreachable engine. The disk stays full for {@code holdSeconds} after the first failure.
     */
    private void diskFull(double holdSeconds) throws Exception {
        Fault f = new Fault("journal disk full");
        f.simFrom = clock.instant().minusSeconds(30 * speed);
        f.start = now();
        String logBefore = gateway.output();
        long bytes = disk.fill();
        log("journal disk filled (%d bytes written, %d bytes free)", bytes, disk.freeBytes());
        double failedAt = awaitJournalFailure(logBefore, 10);
        boolean stalled = false;
        if (failedAt < 0) {
            log("the journal still writes (into the WAL pages it has) after 10 s on a full disk; engine stopped"
                    + " (SIGSTOP) so the journal's backlog must grow");
            engine.signal("STOP");
            stalled = true;
            failedAt = awaitJournalFailure(logBefore, 60);
            engine.signal("CONT");
            log("engine continued (SIGCONT)");
        }
        if (failedAt < 0) {
            log("WARNING: the journal never failed on the full disk");
        } else {
            log("the journal cannot write (%.1f s after the disk filled%s); pollers pause", failedAt - f.start,
                    stalled ? ", engine stopped" : "");
        }
        double holdUntil = Math.max(failedAt, f.start) + holdSeconds;
        if (holdUntil > now()) Thread.sleep((long) ((holdUntil - now()) * 1000));
        f.name = String.format(Locale.ROOT, "journal disk full (cannot write %.0f s%s)", now() - Math.max(failedAt, f.start),
                stalled ? ", engine stopped until it failed" : "");
        disk.free();
        f.end = now();
        f.simTo = clock.instant();
        f.resumeFrom = f.simTo; // resumed = a reading taken after the space came back is stored
        log("journal disk freed (%d bytes free)", disk.freeBytes());
        watch(f, 0);
    }

    /** Seconds into the run when the gateway's log said it cannot write the journal, or -1 after {@code maxSeconds}. */
    private double awaitJournalFailure(String logBefore, double maxSeconds) throws Exception {
        double deadline = now() + maxSeconds;
        while (now() < deadline) {
            if (gateway.output().substring(Math.min(logBefore.length(), gateway.output().length())).contains("ALARM cannot write")) {
                return now();
            }
            Thread.sleep(100);
        }
        return -1;
    }

    private void pgRestart(double holdSeconds) throws Exception {
        Fault f = new Fault("PostgreSQL restart #" + (faults.stream().filter(x -> x.name.startsWith("PostgreSQL")).count() + 1)
                + " (down " + Math.round(holdSeconds) + " s)");
        f.simFrom = clock.instant().minusSeconds(30 * speed);
        long baseline = probe.countFrom(f.simFrom);
        f.start = now();
        pg.stopImmediate();
        log("PostgreSQL stopped (immediate)");
        Thread.sleep((long) (holdSeconds * 1000));
        pg.startServer();
        f.end = now();
        f.simTo = clock.instant();
        log("PostgreSQL accepts connections again");
        watch(f, baseline);
    }

    private void brokerKill(double holdSeconds) throws Exception {
        Fault f = new Fault("broker killed (-9), down " + Math.round(holdSeconds) + " s");
        f.simFrom = clock.instant().minusSeconds(30 * speed);
        f.start = now();
        broker.kill9();
        log("Mosquitto killed (-9)");
        Thread.sleep((long) (holdSeconds * 1000));
        long baseline = probe.countFrom(f.simFrom);
        broker.startAgain();
        f.end = now();
        f.simTo = clock.instant();
        log("Mosquitto started again (same persistence file)");
        watch(f, baseline);
    }

    private void gatewayKill(double holdSeconds) throws Exception {
        Fault f = new Fault("gateway killed (-9), restarted after " + Math.round(holdSeconds) + " s");
        f.simFrom = clock.instant().minusSeconds(30 * speed);
        sample(gateway, "gateway #" + gatewayRuns, "before kill -9");
        f.start = now();
        killSimFrom = clock.instant().minusSeconds(3 * speed);
        killSimAt = clock.instant();
        gateway.kill9();
        fleet.disconnectAll();
        log("gateway killed (-9); DTUs lost their tunnels");
        // What the dead gateway had journalled: every entry must reach the store after the restart.
        try (Journal j = Journal.open(JournalSettings.defaults(journalPath), JournalListener.NONE)) {
            for (BatchEntry e : j.all()) journalAtKill.add(e.reading().meterId() + " " + e.reading().time());
        }
        log("the dead gateway's journal holds %d readings not yet acknowledged", journalAtKill.size());
        long remaining = (long) (holdSeconds * 1000) - (long) ((now() - f.start) * 1000);
        if (remaining > 0) Thread.sleep(remaining);
        long baseline = probe.countFrom(f.simFrom);
        f.end = now();
        // Answers of the last 3 s before the kill may have been read but not yet journalled: by design the
        // next read carries their consumption, so "drained" means what the gateway held up to then.
        f.simTo = killSimFrom;
        gateway = startGateway();
        connectFleet();
        log("gateway #%d started, DTUs dialled in again (%.1f s after the kill)", gatewayRuns, now() - f.start);
        watch(f, baseline);
    }

    /** Time to the first new stored reading and until every answer of [simFrom, simTo] is stored, in the background. */
    private void watch(Fault f, long baseline) {
        faults.add(f);
        f.thread = new Thread(() -> {
            double deadline = f.end + 150;
            try {
                while (now() < deadline && (f.resumed < 0 || f.drained < 0)) {
                    long all = probe.countFrom(f.resumeFrom != null ? f.resumeFrom : f.simFrom);
                    if (f.resumed < 0 && all > baseline) {
                        f.resumed = now();
                        log("%s: first new stored reading %.1f s after the fault ended", f.name, f.resumed - f.end);
                    }
                    if (f.drained < 0) {
                        long expected = answersBetween(f.simFrom, f.simTo);
                        long stored = probe.countBetween(f.simFrom, f.simTo);
                        if (stored >= expected && f.resumed >= 0) {
                            f.drained = now();
                            f.expected = expected;
                            log("%s: backlog drained (%d readings of the window stored) %.1f s after the fault ended",
                                    f.name, stored, f.drained - f.end);
                        }
                    }
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watch " + f.name);
        f.thread.setDaemon(true);
        f.thread.start();
    }

    private long answersBetween(Instant from, Instant to) {
        long n = 0;
        for (SimulatedCjt188Meter m : fleet.meters()) {
            Set<Instant> times = new HashSet<>();
            for (SimulatedCjt188Meter.Answer a : m.answers()) {
                if (!a.meterTime().isBefore(from) && !a.meterTime().isAfter(to)) times.add(a.meterTime());
            }
            n += times.size();
        }
        return n;
    }

    static final class Fault {
        String name;
        Instant resumeFrom;
        double start;
        double end;
        double resumed = -1;
        double drained = -1;
        long expected;
        Instant simFrom;
        Instant simTo;
        Thread thread;

        Fault(String name) {
            this.name = name;
        }

        void join() throws InterruptedException {
            if (thread != null) thread.join();
        }
    }

    // ---------------------------------------------------------------- processes

    private Child startEngine() throws Exception {
        Child c = Child.start(dir.resolve("engine-intake.log"), javaOpts, jar, "engine-intake", "--intake",
                "mqtt://127.0.0.1:" + broker.port, "--store", pg.url(), "--engine-id", "faultrun-engine",
                "--store-down-alarm-after", "10s");
        c.awaitOutput("meterhub engine-intake", Duration.ofSeconds(90));
        log("engine-intake started (pid %d, %s)", c.pid(), javaOpts);
        return c;
    }

    private Child startGateway() throws Exception {
        gatewayRuns++;
        Child c = Child.start(dir.resolve("gateway-" + gatewayRuns + ".log"), javaOpts, jar, "gateway", "--config",
                gatewayConfig.toString());
        c.awaitOutput("listening for DTUs", Duration.ofSeconds(90));
        log("gateway #%d listening (pid %d, %s)", gatewayRuns, c.pid(), javaOpts);
        return c;
    }

    private void connectFleet() throws InterruptedException {
        List<ChannelFuture> dials = fleet.connectAll(group, new InetSocketAddress("127.0.0.1", dtuPort));
        for (ChannelFuture f : dials) f.await(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (fleet.dtus().stream().anyMatch(d -> !d.isConnected()) && System.nanoTime() < deadline) Thread.sleep(20);
        long up = fleet.dtus().stream().filter(SimulatedDtu::isConnected).count();
        if (up < dtus) log("WARNING: only %d of %d DTUs connected", up, dtus);
    }

    private Path writeGatewayConfig() throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("zone: ").append(ZONE).append('\n');
        y.append("dtu:\n  listen: 127.0.0.1:").append(dtuPort).append('\n');
        // Meter clocks run on simulated time (speed x), ahead of the gateway's: trust them.
        y.append("poll:\n  interval: ").append(interval.toMillis()).append("ms\n  jitter: ").append(interval.toMillis() / 10)
                .append("ms\n  timeout: 5s\n  retry-backoff: 200ms\n  max-clock-skew: 3650d\n");
        y.append("journal:\n  path: ").append(journalPath).append('\n');
        y.append("  min-free-disk: 4MiB\n");
        y.append("  forward-to: mqtt://127.0.0.1:").append(broker.port).append('\n');
        y.append("  gateway-id: faultrun-gw\n");
        y.append("alarms:\n  mqtt: tcp://127.0.0.1:").append(broker.port).append("\n  client-id: faultrun-gw-alarms\n");
        y.append("buses:\n");
        for (SimulatedDtu d : fleet.dtus()) {
            y.append("  - dtu: ").append(d.id()).append("\n    meters:\n");
            for (SimulatedCjt188Meter m : d.meters()) y.append("      - id: \"").append(m.address().digits()).append("\"\n");
        }
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, y);
        return file;
    }

    private void awaitFinalRegisters(Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        List<String> behind = List.of("?");
        while (System.nanoTime() < deadline) {
            Map<String, Long> last = probe.lastRegisters();
            behind = new ArrayList<>();
            for (SimulatedCjt188Meter m : fleet.meters()) {
                Long l = last.get(m.address().digits());
                if (l == null || l != m.registerL()) behind.add(m.address().digits());
            }
            if (behind.isEmpty()) {
                log("every meter's last register is in the store");
                return;
            }
            Thread.sleep(2000);
        }
        log("WARNING: %d meters' last registers not in the store after %s, e.g. %s", behind.size(), max, behind.get(0));
    }

    /**
     * What an operator subscribed to {@code alarms/#} receives: the processes' own alarms (STORE_DOWN, JOURNAL_…),
     * logged as events and counted. A persistent session on the run's broker, so the broker's kill loses nothing.
     */
    final class AlarmWatch implements AutoCloseable {
        private final org.eclipse.paho.client.mqttv3.MqttAsyncClient client;
        private final Map<String, long[]> counts = new java.util.TreeMap<>();

        AlarmWatch(String uri) throws Exception {
            client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(uri, "faultrun-operator",
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setCleanSession(false);
            o.setAutomaticReconnect(true);
            o.setMaxReconnectDelay(2000);
            client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) throws Exception {
                    com.fasterxml.jackson.databind.JsonNode a = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.getPayload());
                    String key = a.path("kind").asText() + ", " + a.path("subject").asText();
                    boolean raised = "RAISED".equals(a.path("state").asText());
                    synchronized (counts) {
                        counts.computeIfAbsent(key, k -> new long[2])[raised ? 0 : 1]++;
                    }
                    log("alarm on %s: %s %s (%s)", topic, a.path("kind").asText(), a.path("state").asText(), a.path("detail").asText());
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                }
            });
            client.connect(o).waitForCompletion(10_000);
            client.subscribe("alarms/#", 1).waitForCompletion(10_000);
        }

        Map<String, long[]> counts() {
            synchronized (counts) {
                return new java.util.TreeMap<>(counts);
            }
        }

        @Override
        public void close() {
            try {
                client.disconnectForcibly(1000);
                client.close(true);
            } catch (Exception e) {
                // the run is over
            }
        }
    }

    // ---------------------------------------------------------------- heap and RSS

    /**
     * One look at a process. {@code liveMiB} is the total of {@code GC.class_histogram} (which runs a full GC itself):
     * the objects alive at that instant. {@code heapMiB} is {@code GC.heap_info} after {@code GC.run}: it also counts
     * what the busy process allocated between the two jcmd calls (a second or more on a loaded machine), so it is an
     * upper bound, not the live heap. {@code heapRssMiB} is the resident part of the Java heap's mapping
     * ({@code /proc/pid/smaps}): heap pages the JVM has touched at least once, which only grows until the whole
     * committed heap has been used once (unless it was pre-touched). {@code nmtMiB} is native memory tracking's
     * committed total when the JVM runs with {@code -XX:NativeMemoryTracking}.
     */
    record Sample(String process, String label, double at, double liveMiB, double heapMiB, double committedMiB, double rssMiB,
                  double heapRssMiB, double nmtMiB) {
        double outsideHeapRssMiB() {
            return rssMiB - heapRssMiB;
        }
    }

    private void sampleBoth(String label) {
        sample(gateway, "gateway #" + gatewayRuns, label);
        sample(engine, "engine-intake", label);
    }

    private final Set<Long> nmtBaselines = ConcurrentHashMap.newKeySet();

    private synchronized void sample(Child c, String process, String label) {
        try {
            String out = jcmd(c.pid(), "GC.run") + jcmd(c.pid(), "GC.heap_info");
            // What the live heap holds, for a diff between start and end (GC.class_histogram runs a full GC itself).
            String histogram = jcmd(c.pid(), "GC.class_histogram");
            String file = process.replaceAll("\\W+", "") + "-" + label.replaceAll("\\W+", "-");
            Files.writeString(dir.resolve("histogram-" + file + ".txt"), histogram);
            double live = 0;
            java.util.regex.Matcher total = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(histogram);
            if (total.find()) live = Long.parseLong(total.group(1)) / 1024.0 / 1024.0;
            double heap = 0;
            double committed = 0;
            long heapFrom = Long.MAX_VALUE;
            long heapTo = 0;
            for (String line : out.split("\n")) {
                // Serial: "def new generation total …K, used …K [0x…, 0x…, 0x…)", "tenured generation …"; G1: "garbage-first heap …"
                if (!line.contains("generation") && !line.contains("garbage-first heap")) continue;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(line);
                if (m.find()) heap += Long.parseLong(m.group(1)) / 1024.0;
                java.util.regex.Matcher t = java.util.regex.Pattern.compile("total (\\d+)K").matcher(line);
                if (t.find()) committed += Long.parseLong(t.group(1)) / 1024.0;
                java.util.regex.Matcher a = java.util.regex.Pattern.compile("0x([0-9a-f]+)").matcher(line);
                while (a.find()) {
                    long addr = Long.parseUnsignedLong(a.group(1), 16);
                    heapFrom = Math.min(heapFrom, addr);
                    heapTo = Math.max(heapTo, addr);
                }
            }
            double rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + c.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
            double heapRss = residentKiB(c.pid(), heapFrom, heapTo) / 1024.0;
            double nmt = 0;
            if (javaOpts.contains("NativeMemoryTracking")) {
                if (nmtBaselines.add(c.pid())) jcmd(c.pid(), "VM.native_memory baseline");
                String diff = jcmd(c.pid(), "VM.native_memory summary.diff");
                Files.writeString(dir.resolve("nmt-" + file + ".txt"), diff);
                java.util.regex.Matcher n = java.util.regex.Pattern.compile("Total: reserved=\\d+KB[^,]*, committed=(\\d+)KB").matcher(diff);
                if (n.find()) nmt = Long.parseLong(n.group(1)) / 1024.0;
            }
            samples.add(new Sample(process, label, now(), live, heap, committed, rss, heapRss, nmt));
            log("%s %s: live objects %.1f MiB, heap after full GC %.1f MiB (committed %.1f MiB), RSS %.1f MiB (heap pages %.1f,"
                    + " outside the heap %.1f)%s", process, label, live, heap, committed, rss, heapRss, rss - heapRss,
                    nmt > 0 ? String.format(Locale.ROOT, ", NMT committed %.1f MiB", nmt) : "");
        } catch (Exception e) {
            log("WARNING: could not sample %s: %s", process, e);
        }
    }

    /** Resident KiB of the mappings of {@code pid} inside [from, to] ({@code /proc/pid/smaps}). */
    static long residentKiB(long pid, long from, long to) throws IOException {
        long kib = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = start >= from && end <= to;
            } else if (inside && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kib;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    // ---------------------------------------------------------------- verdict

    private int report() throws Exception {
        Instant from = clock.start().minus(1, ChronoUnit.HOURS);
        Instant to = clock.instant().plus(1, ChronoUnit.DAYS);
        long answered = 0;
        long stored = 0;
        long matched = 0;
        long lost = 0;
        long unjournalledAtKill = 0;
        long foreign = 0;
        long wrongRegister = 0;
        long lastExact = 0;
        long consumptionExact = 0;
        long excessL = 0;
        long missingL = 0;
        long deliveredL = 0;
        long overlaps = 0;
        long journalledAtKillStored = 0;
        long supersededByConfirmation = 0;
        Set<String> confirmationDtus = new java.util.TreeSet<>();
        List<String> examples = new ArrayList<>();
        Map<String, String> dtuOf = new HashMap<>();
        for (SimulatedDtu d : fleet.dtus()) for (SimulatedCjt188Meter m : d.meters()) dtuOf.put(m.address().digits(), d.id());
        StringBuilder lostCsv = new StringBuilder("meter,dtu,partition,meter_time,register_l,real_s_into_run\n");
        Map<String, List<Reading>> readingsOf = probe.allReadings();
        Map<String, List<ConsumptionInterval>> intervalsOf = probe.allIntervals();
        Map<String, Long> lastOf = probe.lastRegisters();
        long corrections = probe.count("select count(*) from consumption_corrections");
        {
            for (SimulatedCjt188Meter m : fleet.meters()) {
                String id = m.address().digits();
                Map<Instant, Long> answers = new LinkedHashMap<>();
                for (SimulatedCjt188Meter.Answer a : m.answers()) answers.put(a.meterTime(), a.registerL());
                answered += answers.size();
                List<Reading> rs = readingsOf.getOrDefault(id, List.of());
                stored += rs.size();
                java.util.TreeMap<Instant, Long> st = new java.util.TreeMap<>();
                for (Reading r : rs) {
                    if (st.put(r.time(), r.volumeL()) != null) foreign++; // a second row for one key (cannot happen: primary key)
                    Long a = answers.get(r.time());
                    if (a == null) {
                        foreign++;
                        if (examples.size() < 10) examples.add("stored, never answered: " + id + " " + r.time() + " " + r.volumeL());
                    } else if (a != r.volumeL()) {
                        wrongRegister++;
                        if (examples.size() < 10) examples.add("register differs: " + id + " " + r.time() + " stored " + r.volumeL()
                                + " answered " + a);
                    } else {
                        matched++;
                    }
                    if (journalAtKill.contains(id + " " + r.time())) journalledAtKillStored++;
                }
                for (Map.Entry<Instant, Long> a : answers.entrySet()) {
                    if (st.containsKey(a.getKey())) continue;
                    Instant t = a.getKey();
                    boolean atKill = killSimFrom != null && !t.isBefore(killSimFrom) && !t.isAfter(killSimAt)
                            && !journalAtKill.contains(id + " " + t);
                    // On a line that showed noise the gateway holds a reply back and asks again at once (turnaround,
                    // 20 ms): only the confirming reply is stored (Cjt188Session, "Confirmation"). It follows within
                    // a real second and carries the same register (or a step more, when gas flowed in between; on
                    // disagreement the gateway asks a third time): a cumulative register misses nothing.
                    Map.Entry<Instant, Long> next = st.higherEntry(t);
                    boolean confirmed = next != null && Duration.between(t, next.getKey()).toMillis() <= speed * 1000
                            && next.getValue() >= a.getValue();
                    if (atKill) {
                        unjournalledAtKill++;
                    } else if (confirmed) {
                        supersededByConfirmation++;
                        confirmationDtus.add(dtuOf.get(id));
                    } else {
                        lost++;
                        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                        crc.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        lostCsv.append(id).append(',').append(dtuOf.get(id)).append(',').append(crc.getValue() % 16).append(',')
                                .append(t).append(',').append(a.getValue()).append(',')
                                .append(String.format(Locale.ROOT, "%.1f", runSecondsAt(t))).append('\n');
                        if (examples.size() < 10) examples.add("answered, not stored: " + id + " " + t + " " + a.getValue());
                    }
                }
                Long last = lastOf.get(id);
                if (last != null && last == m.registerL()) lastExact++;
                List<ConsumptionInterval> iv = intervalsOf.getOrDefault(id, List.of());
                long sum = iv.stream().mapToLong(ConsumptionInterval::volumeL).sum();
                deliveredL += m.deliveredLitres();
                if (sum == m.deliveredLitres()) consumptionExact++;
                else if (sum > m.deliveredLitres()) excessL += sum - m.deliveredLitres();
                else missingL += m.deliveredLitres() - sum;
                List<ConsumptionInterval> sorted = new ArrayList<>(iv);
                sorted.sort((a, b) -> a.start().compareTo(b.start()));
                for (int i = 1; i < sorted.size(); i++) {
                    if (sorted.get(i).start().isBefore(sorted.get(i - 1).end())) overlaps++;
                }
            }
        }
        if (lost > 0) Files.writeString(dir.resolve("lost.csv"), lostCsv);
        long journalledAtKillLost = journalAtKill.size() - journalledAtKillStored;
        boolean ok = lost == 0 && foreign == 0 && wrongRegister == 0 && lastExact == meters && consumptionExact == meters
                && overlaps == 0 && journalledAtKillLost == 0;

        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Fault run %s: %d meters behind %d DTUs read every %s for %.1f min (simulated time %dx), "
                        + "children `%s`; %d cores, load average at the end %s%n%n", LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS),
                meters, dtus, interval.toMillis() / 1000.0 + " s", minutes, speed, javaOpts,
                Runtime.getRuntime().availableProcessors(), loadAverage()));
        md.append("| result | value |\n|---|---:|\n");
        row(md, "clean replies the meters sent (distinct meter, time)", answered);
        row(md, "readings stored", stored);
        row(md, "**lost** (answered, not stored, no confirming reply; outside the kill -9 window)", lost);
        row(md, "**doubled or foreign** (stored twice, or never answered)", foreign);
        row(md, "stored with a register other than the one answered", wrongRegister);
        row(md, "replies held back on a line that showed noise, superseded by the confirming reply (same or later register, "
                + "< 1 s later; DTUs " + confirmationDtus.size() + ")", supersededByConfirmation);
        row(md, "read in the 3 s before the kill -9 and not yet journalled (by design: the next read carries them)", unjournalledAtKill);
        row(md, "in the dead gateway's journal at the kill -9 / of those stored after the restart", journalAtKill.size() + " / "
                + journalledAtKillStored);
        row(md, "meters whose last stored register equals the meter's", lastExact + " / " + meters);
        row(md, "meters whose stored consumption equals what the simulator delivered (to the litre)", consumptionExact + " / " + meters);
        row(md, "litres delivered in all / counted twice / missing", deliveredL + " / " + excessL + " / " + missingL);
        row(md, "overlapping consumption intervals / correction records", overlaps + " / " + corrections);
        md.append("\n| fault | start (s into run) | fault ended (s) | first new stored reading after the end | backlog drained after the end |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (Fault f : faults) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %s | %s |%n", f.name, f.start, f.end,
                    f.resumed < 0 ? "not within 150 s" : String.format(Locale.ROOT, "%.1f s", f.resumed - f.end),
                    f.drained < 0 ? "not within 150 s" : String.format(Locale.ROOT, "%.1f s (%,d readings)", f.drained - f.end, f.expected)));
        }
        md.append("\n| process | sample | s into run | live objects (histogram) | heap after full GC | heap committed | RSS"
                + " | of which heap pages | RSS outside the heap | NMT committed |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Sample s : samples) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %s |%n",
                    s.process, s.label, s.at, s.liveMiB, s.heapMiB, s.committedMiB, s.rssMiB, s.heapRssMiB, s.outsideHeapRssMiB(),
                    s.nmtMiB > 0 ? String.format(Locale.ROOT, "%.1f MiB", s.nmtMiB) : "–"));
        }
        md.append('\n');
        for (String p : samples.stream().map(Sample::process).distinct().toList()) {
            List<Sample> ps = samples.stream().filter(s -> s.process.equals(p)).toList();
            if (ps.size() < 2) continue;
            Sample a = ps.get(0);
            Sample b = ps.get(ps.size() - 1);
            md.append(String.format(Locale.ROOT, "- %s, %s → %s (%.0f s): live objects %+.1f %%, heap after full GC %+.1f %%, RSS %+.1f %%,"
                    + " RSS outside the heap %+.1f %%%s%n", p, a.label, b.label, b.at - a.at, pct(a.liveMiB, b.liveMiB),
                    pct(a.heapMiB, b.heapMiB), pct(a.rssMiB, b.rssMiB), pct(a.outsideHeapRssMiB(), b.outsideHeapRssMiB()),
                    a.nmtMiB > 0 ? String.format(Locale.ROOT, ", NMT committed %+.1f %%", pct(a.nmtMiB, b.nmtMiB)) : ""));
        }
        md.append("\nprocess alarms received on alarms/# (kind, subject: raised / resolved):\n");
        if (alarms != null) alarms.counts().forEach((k, v) -> md.append("- ").append(k).append(": ").append(v[0]).append(" / ")
                .append(v[1]).append('\n'));
        md.append("\nverdict: ").append(ok ? "PASS (lost 0, doubled 0, every register and consumption exact)" : "FAIL").append('\n');
        for (String e : examples) md.append("  ").append(e).append('\n');
        Files.writeString(dir.resolve("report.md"), md + "\nevents:\n" + String.join("\n", events) + "\n");
        System.out.println();
        System.out.println(md);
        System.out.println("report: " + dir.resolve("report.md"));
        return ok ? 0 : 1;
    }

    private static double pct(double a, double b) {
        return a == 0 ? 0 : 100 * (b / a - 1);
    }

    private static void row(StringBuilder md, String what, Object value) {
        md.append("| ").append(what).append(" | ").append(value instanceof Long l ? String.format(Locale.ROOT, "%,d", l) : value)
                .append(" |\n");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String runCommand(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no end within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + new String(out));
        return new String(out);
    }

    // ---------------------------------------------------------------- the store probe

    /** Counts stored readings by meter time on its own connection, reconnecting after PostgreSQL restarts. */
    static final class Probe implements AutoCloseable {
        private final String url;
        private Connection c;

        Probe(String url) {
            this.url = url + "&connectTimeout=2&socketTimeout=10";
        }

        synchronized long countFrom(Instant from) {
            return count("select count(*) from readings where time >= ?", from, null);
        }

        synchronized long countBetween(Instant from, Instant to) {
            return count("select count(*) from readings where time >= ? and time <= ?", from, to);
        }

        private Connection connection() throws SQLException {
            if (c == null || c.isClosed()) c = DriverManager.getConnection(url);
            return c;
        }

        synchronized long count(String sql) throws SQLException {
            try (var st = connection().createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** Every meter's newest stored register (one query). */
        synchronized Map<String, Long> lastRegisters() throws SQLException {
            Map<String, Long> out = new HashMap<>();
            try (var st = connection().createStatement(); ResultSet rs = st.executeQuery(
                    "select distinct on (meter_id) meter_id, volume_l from readings order by meter_id, time desc")) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            } catch (SQLException e) {
                close();
                throw e;
            }
            return out;
        }

        synchronized Map<String, List<Reading>> allReadings() throws SQLException {
            Map<String, List<Reading>> out = new HashMap<>();
            try (var st = connection().createStatement(); ResultSet rs = st.executeQuery(
                    "select meter_id, time, volume_l from readings order by meter_id, time")) {
                while (rs.next()) {
                    Instant t = rs.getTimestamp(2).toInstant();
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Reading(rs.getString(1), t, t,
                            rs.getLong(3), org.meterhub.engine.reading.ReadingSource.CJT188, java.util.EnumSet.noneOf(
                            org.meterhub.engine.reading.ReadingFlag.class), 0, null));
                }
            }
            return out;
        }

        /** The consumption that counts (base intervals not superseded by a correction, and corrections). */
        synchronized Map<String, List<ConsumptionInterval>> allIntervals() throws SQLException {
            Map<String, List<ConsumptionInterval>> out = new HashMap<>();
            try (var st = connection().createStatement(); ResultSet rs = st.executeQuery(
                    "select meter_id, start_time, end_time, volume_l from consumption_effective")) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new ConsumptionInterval(rs.getString(1),
                            rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(), rs.getLong(4), java.util.Set.of()));
                }
            }
            return out;
        }

        private long count(String sql, Instant a, Instant b) {
            try {
                if (c == null || c.isClosed()) c = DriverManager.getConnection(url);
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setTimestamp(1, Timestamp.from(a));
                    if (b != null) ps.setTimestamp(2, Timestamp.from(b));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            } catch (SQLException e) {
                close();
                return -1;
            }
        }

        @Override
        public synchronized void close() {
            try {
                if (c != null) c.close();
            } catch (SQLException ignored) {
                // gone already
            }
            c = null;
        }
    }

    // ---------------------------------------------------------------- child JVMs

    static final class Child {
        private final Process process;
        private final Path log;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Child start(Path log, String javaOpts, Path jar, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String o : javaOpts.trim().split("\\s+")) if (!o.isEmpty()) cmd.add(o);
            cmd.addAll(List.of("-jar", jar.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new Child(p, log);
        }

        String output() throws IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }

        /** kill -STOP / -CONT of this child (by its pid). */
        void signal(String name) throws Exception {
            runCommand(List.of("kill", "-" + name, Long.toString(process.pid())), 10);
        }

        void awaitOutput(String text, Duration max) throws Exception {
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline) {
                if (Files.exists(log) && Files.readString(log).contains(text)) return;
                if (!process.isAlive()) throw new IllegalStateException("exited " + process.exitValue() + ", see " + log);
                Thread.sleep(50);
            }
            throw new IllegalStateException("no \"" + text + "\" within " + max + ", see " + log);
        }

        long pid() {
            return process.pid();
        }

        /** SIGTERM: the process stops cleanly (what it holds stays journalled). */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) kill9();
        }

        void kill9() throws InterruptedException {
            if (!process.isAlive()) return;
            process.destroyForcibly();
            process.waitFor();
        }
    }

    // ---------------------------------------------------------------- own servers

    /** A PostgreSQL server of this run (initdb into its own directory, its own port; as {@code postgres} when root). */
    static final class Pg {
        final Path bin;
        final Path data;
        final int port;
        final boolean asPostgres;

        private Pg(Path bin, Path data, int port, boolean asPostgres) {
            this.bin = bin;
            this.data = data;
            this.port = port;
            this.asPostgres = asPostgres;
        }

        static Pg start(Path data) throws Exception {
            Path bin = null;
            Path root = Path.of("/usr/lib/postgresql");
            if (Files.isDirectory(root)) {
                try (var versions = Files.list(root)) {
                    bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                            .max((a, b) -> Integer.compare(version(a), version(b))).orElse(null);
                }
            }
            if (bin == null) throw new IllegalStateException("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
            boolean root0 = "root".equals(System.getProperty("user.name"));
            Files.createDirectories(data);
            if (root0) runCommand(List.of("chown", "postgres:postgres", data.toString()), 30);
            runCommand(List.of("chmod", "700", data.toString()), 30);
            Pg pg = new Pg(bin, data, freePort(), root0);
            pg.run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "meterhub", "--no-sync",
                    "-E", "UTF8"), 180);
            pg.startServer();
            return pg;
        }

        private static int version(Path bin) {
            try {
                return Integer.parseInt(bin.getParent().getFileName().toString());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=meterhub";
        }

        void startServer() throws Exception {
            // fsync off survives an immediate stop (a killed server, not a lost OS cache); commits stay synchronous.
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "120", "-l",
                    data.resolve("server.log").toString(), "-o", "-p " + port + " -k " + data
                            + " -c listen_addresses=127.0.0.1 -c fsync=off"
                            + (Files.exists(bin.getParent().resolve("lib/timescaledb.so"))
                            ? " -c shared_preload_libraries=timescaledb -c timescaledb.telemetry_level=off" : ""), "start"), 150);
        }

        void stopImmediate() throws Exception {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
        }

        void stopQuietly() {
            try {
                stopImmediate();
            } catch (Exception ignored) {
                // stopped already
            }
        }

        void deleteData() throws IOException {
            try (var all = Files.walk(data)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }

        private void run(List<String> command, int timeoutSeconds) throws Exception {
            List<String> full = new ArrayList<>();
            if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
            full.addAll(command);
            runCommand(full, timeoutSeconds);
        }
    }

    /** A Mosquitto of this run with the settings docs/mqtt.md asks for, persistence on. */
    static final class Broker {
        final int port;
        final Path conf;
        private Process process;
        private final Path log;

        private Broker(int port, Path conf, Path log) {
            this.port = port;
            this.conf = conf;
            this.log = log;
        }

        static Broker start(Path dir) throws Exception {
            Files.createDirectories(dir);
            // As root Mosquitto drops to its own user: it must be able to write its persistence file.
            runCommand(List.of("chmod", "777", dir.toString()), 10);
            int port = freePort();
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                    + "persistence true\npersistence_location " + dir + "/\n"
                    + "max_queued_messages 1000000\nmax_queued_bytes 0\nmax_inflight_messages 1000\n"
                    + "persistent_client_expiration 14d\nset_tcp_nodelay false\n");
            Broker b = new Broker(port, conf, dir.resolve("mosquitto.log"));
            b.startAgain();
            return b;
        }

        void startAgain() throws Exception {
            process = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!accepts(port)) {
                if (!process.isAlive()) throw new IllegalStateException("mosquitto exited, see " + log);
                if (System.nanoTime() > deadline) throw new IllegalStateException("mosquitto does not listen, see " + log);
                Thread.sleep(20);
            }
        }

        void kill9() throws InterruptedException {
            if (process == null || !process.isAlive()) return;
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** A small tmpfs for the journal, which the run fills to the last byte and frees, as another program would. */
    static final class TmpfsDisk implements AutoCloseable {
        private final Path dir;
        private final Path filler;

        private TmpfsDisk(Path dir) {
            this.dir = dir;
            this.filler = dir.resolve("filler.bin");
        }

        static TmpfsDisk mount(Path dir, int mebibytes) throws Exception {
            Files.createDirectories(dir);
            runCommand(List.of("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs", dir.toString()), 30);
            return new TmpfsDisk(dir);
        }

        Path dir() {
            return dir;
        }

        long fill() throws IOException {
            long written = 0;
            for (int size : new int[] {64 << 10, 4096, 512}) {
                byte[] chunk = new byte[size];
                try (var out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND)) {
                    while (true) {
                        out.write(chunk);
                        out.flush();
                        written += size;
                    }
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains("No space left")) throw e;
                }
            }
            return written;
        }

        long freeBytes() throws IOException {
            return Files.getFileStore(dir).getUsableSpace();
        }

        void free() throws IOException {
            Files.deleteIfExists(filler);
        }

        @Override
        public void close() throws Exception {
            runCommand(List.of("umount", "-l", dir.toString()), 30);
        }
    }
}
