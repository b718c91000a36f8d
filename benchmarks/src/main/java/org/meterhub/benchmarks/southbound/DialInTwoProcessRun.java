package org.meterhub.benchmarks.southbound;

import io.netty.channel.nio.NioEventLoopGroup;
import java.io.File;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.meterhub.engine.meter.Medium;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.dtu.DtuBusManager;
import org.meterhub.gateway.dtu.DtuServer;
import org.meterhub.gateway.dtu.DtuSettings;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * The dial-in scale run with the gateway and the simulated DTUs in separate JVMs, so that the RSS
 * reported is the gateway's own and the gateway process holds exactly one descriptor per DTU. This
 * process is the gateway; it starts the simulators as child processes on the same class path.
 *
 * <p>Args: {@code [dtus|max] [seconds] [baud] [simProcesses]}. {@code max} = as many DTUs as the
 * process's descriptor limit allows after the gateway's own descriptors, counted once the gateway is
 * listening (JDK image, class-path jar, stdout/stderr, two selectors with their wake-up fds, the server
 * socket, /proc/self/status for the RSS line). The simulators are spread over several processes so they
 * never run into the same limit. Baud 0 = no wire time (replies as fast as the simulator can send them),
 * which leaves the gateway-side latency. Each bus has one meter, polled every 60 s (+ up to 5 s jitter);
 * a DTU's first poll comes at a random point within 60 s of its registration (like a concentrator
 * spreading its meters over the read interval). DTUs dial in evenly at 500 a second and redial 2-10 s
 * after a dropped tunnel. Latency (HdrHistogram, request sent to reading produced) is reported for the
 * whole run, for the dial-in phase (until every DTU has registered) and after it.
 */
public final class DialInTwoProcessRun {
    private static final int DIALS_PER_SECOND = 500;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("sim")) {
            sim(args);
            return;
        }
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 180;
        int baud = args.length > 2 ? Integer.parseInt(args[2]) : 9600;
        int simProcesses = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        Clock clock = Clock.systemUTC();
        RandomAccessFile selfStatus = new RandomAccessFile("/proc/self/status", "r"); // kept open: no spare fd needed later
        PollSettings poll = new PollSettings(Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofMillis(20), 2, Duration.ofMillis(200), 3, 4).withFirstPollSpread(Duration.ofSeconds(60));
        Map<String, Boolean> served = new ConcurrentHashMap<>();
        NioEventLoopGroup loops = new NioEventLoopGroup(2);
        loops.forEach(l -> l.submit(() -> { }).syncUninterruptibly()); // open both selectors before counting
        // the buses are configured once the descriptor count is known; the manager reads the list lazily
        List<BusConfig> buses = new ArrayList<>();
        DtuBusManager[] managerRef = new DtuBusManager[1];
        org.meterhub.gateway.dtu.DtuListener listener = new org.meterhub.gateway.dtu.DtuListener() {
            @Override
            public boolean registered(String dtuId, io.netty.channel.ChannelPipeline pipeline,
                                      org.meterhub.gateway.dtu.DtuConnection connection) {
                return managerRef[0].registered(dtuId, pipeline, connection);
            }

            @Override
            public void disconnected(String dtuId, org.meterhub.gateway.dtu.DtuConnection connection) {
                managerRef[0].disconnected(dtuId, connection);
            }
        };
        DtuServer server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), listener, loops, clock);
        InetSocketAddress at = server.start();
        // The simulators start before the gateway counts its descriptors, so whatever starting a child process
        // leaves open here is counted too; they learn the number of DTUs from a file written after the count.
        // No Files.createTempFile: its SecureRandom keeps /dev/random and /dev/urandom open for good.
        String tag = "dialin-" + ProcessHandle.current().pid();
        Path countFile = Path.of(System.getProperty("java.io.tmpdir"), tag + ".dtus");
        // Each simulator JVM is started in the background by a shell that exits at once: a running child the
        // JDK keeps a Process for held a pipe in the parent for as long as it ran (two simulators, two
        // descriptors fewer for DTUs).
        List<Path> simLogs = new ArrayList<>();
        for (int k = 0; k < simProcesses; k++) {
            Path simLog = Path.of(System.getProperty("java.io.tmpdir"), tag + "-sim" + k + ".log");
            simLogs.add(simLog);
            String java = String.join(" ", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), DialInTwoProcessRun.class.getName(), "sim",
                    String.valueOf(at.getPort()), countFile.toString(), String.valueOf(k), String.valueOf(simProcesses),
                    String.valueOf(baud), String.valueOf(seconds), String.valueOf(DIALS_PER_SECOND / simProcesses));
            new ProcessBuilder("sh", "-c", java + " >" + simLog + " 2>&1 </dev/null &")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        }
        Thread.sleep(500);
        // loaded now: loading libmanagement.so later needs a descriptor, and then there is none to spare
        List<java.lang.management.GarbageCollectorMXBean> gcBeans = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans();
        long limit = openFileLimit();
        int ownFds = openFds();
        String ownFdList = describeFds();
        int dtus = args.length == 0 || args[0].equals("max") ? (int) (limit - ownFds) : Integer.parseInt(args[0]);
        for (int i = 0; i < dtus; i++) {
            String address = String.format("30%012d", i + 1); // Cjt188Fleet's numbering: meter i on DTU i
            buses.add(new BusConfig(Cjt188Fleet.dtuId(i), BusProtocol.CJT188,
                    List.of(new MeterEndpoint(address, address, Medium.GAS, new Cjt188Options(0x30, DiOrder.HIGH_FIRST)))));
        }
        DtuBusManager manager = new DtuBusManager(buses, poll, r -> served.put(r.meterId(), Boolean.TRUE), zone, clock,
                Duration.ofMinutes(10));
        manager.attach(server);
        managerRef[0] = manager;
        System.out.printf("descriptors: limit %d, gateway's own %d %s -> room for %d DTU sockets; running %d DTUs%n",
                limit, ownFds, ownFdList, limit - ownFds, dtus);
        Files.writeString(countFile, String.valueOf(dtus));
        System.out.printf("gateway pid %d on %s, %d simulator processes (logs %s), %d DTUs, %s%n", ProcessHandle.current().pid(),
                at, simProcesses, simLogs, dtus,
                baud == 0 ? "no wire time" : baud + " baud 8N1 wire time on the DTUs' serial side");
        long t0 = System.nanoTime();
        // stall detectors: how late a 100 ms tick runs on each gateway event loop, and on a plain thread
        // (the latter sees only process-wide pauses: GC, or the CPU taken by other processes)
        Histogram loopLate = new Histogram(3);
        Histogram threadLate = new Histogram(3);
        for (io.netty.util.concurrent.EventExecutor loop : loops) {
            long[] last = {System.nanoTime()};
            loop.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                synchronized (loopLate) {
                    loopLate.recordValue(Math.max(0, (now - last[0]) / 1000 - 100_000));
                }
                last[0] = now;
            }, 100, 100, TimeUnit.MILLISECONDS);
        }
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long before = System.nanoTime();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (threadLate) {
                    threadLate.recordValue(Math.max(0, (System.nanoTime() - before) / 1000 - 100_000));
                }
            }
        }, "pause-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Histogram all = new Histogram(3);
        Histogram dialIn = new Histogram(3);
        Histogram after = new Histogram(3);
        Histogram window = new Histogram(3);
        long maxRss = 0;
        long dialInEndS = -1;
        for (int s = 0; s < seconds; s += 5) {
            Thread.sleep(5000);
            Histogram interval = manager.stats().latencyMicros.getIntervalHistogram();
            all.add(interval);
            window.add(interval);
            // an interval counts for the dial-in phase while DTUs were still registering during it
            if (dialInEndS < 0) dialIn.add(interval);
            else after.add(interval);
            if (dialInEndS < 0 && server.connectedCount() >= dtus) dialInEndS = s + 5;
            long rss = rssMiB(selfStatus);
            maxRss = Math.max(maxRss, rss);
            if ((s + 5) % 15 == 0) {
                System.out.printf("t=%3ds connected %d/%d served %d readings %d failed polls %d gateway RSS %d MiB; "
                                + "last 15 s: p50 %.1f ms p99 %.1f ms max %.1f ms (n=%d)%n",
                        s + 5, server.connectedCount(), dtus, served.size(), manager.stats().readings.get(),
                        manager.stats().failedPolls.get(), rss, window.getValueAtPercentile(50) / 1e3,
                        window.getValueAtPercentile(99) / 1e3, window.getMaxValue() / 1e3, window.getTotalCount());
                window.reset();
            }
        }
        Histogram loopLateCopy;
        Histogram threadLateCopy;
        synchronized (loopLate) {
            loopLateCopy = loopLate.copy();
        }
        synchronized (threadLate) {
            threadLateCopy = threadLate.copy();
        }
        long gcCount = 0;
        long gcMs = 0;
        for (var gc : gcBeans) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        System.out.printf("%d DTUs for %.0f s: connected %d, DTUs served at least once %d (%s), readings %d, failed polls %d, "
                        + "failed attempts %d; all registered by t=%ds%n", dtus, (System.nanoTime() - t0) / 1e9,
                server.connectedCount(), served.size(), served.size() == dtus ? "all" : "NOT all",
                manager.stats().readings.get(), manager.stats().failedPolls.get(), manager.stats().failedAttempts.get(),
                dialInEndS);
        var c = manager.protocolCounters();
        System.out.printf("CJ/T 188 session: timeouts %d, mismatched %d, unsolicited %d, confirmation reads %d, disagreements %d, "
                        + "heartbeats %d; DTU server: accepted %d, registered %d, replaced %d%n", c.timeouts.get(),
                c.mismatched.get(), c.unsolicited.get(), c.confirmationReads.get(), c.disagreements.get(),
                server.stats().heartbeats.get(), server.stats().accepted.get(), server.stats().registered.get(),
                server.stats().replaced.get());
        print("whole run", all);
        print("dial-in phase (to t=" + dialInEndS + "s)", dialIn);
        print("after dial-in", after);
        if (baud > 0) {
            System.out.printf("of which wire time per exchange: %.1f ms (request 18 + reply 37 bytes at %d 8N1 + 5 ms meter)%n",
                    WireModel.rs485(baud).exchangeMicros(18, 37) / 1e3, baud);
        }
        System.out.printf("gateway RSS now %d MiB, max %d MiB; heap used %d MiB; GC %d collections, %d ms in total%n",
                rssMiB(selfStatus), maxRss, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                gcCount, gcMs);
        System.out.printf("stalls: gateway event-loop tick late p99 %.1f ms max %.1f ms; plain thread late p99 %.1f ms max %.1f ms%n",
                loopLateCopy.getValueAtPercentile(99) / 1e3, loopLateCopy.getMaxValue() / 1e3,
                threadLateCopy.getValueAtPercentile(99) / 1e3, threadLateCopy.getMaxValue() / 1e3);
        watcher.interrupt();
        // the simulators leave once the count file is gone; only then are descriptors free to read their logs
        Files.deleteIfExists(countFile);
        server.close();
        Thread.sleep(3000);
        long simDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int k = 0; k < simLogs.size(); k++) {
            String summary = null;
            while (summary == null && System.nanoTime() < simDeadline) {
                summary = Files.readAllLines(simLogs.get(k)).stream().filter(l -> l.startsWith("sim:")).findFirst().orElse(null);
                if (summary == null) Thread.sleep(500);
            }
            System.out.println("simulators " + k + ": " + summary);
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static void print(String phase, Histogram h) {
        System.out.printf("request-to-reading, %-28s p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms  (n=%d)%n", phase + ":",
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3, h.getTotalCount());
    }

    /** The simulator process: dials DTUs {@code from..to-1} of the fleet into the gateway, evenly paced, and keeps them up. */
    private static void sim(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        Path countFile = Path.of(args[2]);
        int k = Integer.parseInt(args[3]);
        int simProcesses = Integer.parseInt(args[4]);
        while (!Files.exists(countFile) || Files.size(countFile) == 0) Thread.sleep(20);
        Thread.sleep(20);
        int dtus = Integer.parseInt(Files.readString(countFile).trim());
        int from = (int) ((long) dtus * k / simProcesses);
        int to = (int) ((long) dtus * (k + 1) / simProcesses);
        int baud = Integer.parseInt(args[5]);
        int seconds = Integer.parseInt(args[6]);
        int perSecond = Integer.parseInt(args[7]);
        Cjt188Fleet fleet = Cjt188Fleet.create(dtus, dtus, Clock.systemUTC(), ZoneId.of("Asia/Shanghai"),
                baud == 0 ? WireModel.instant() : WireModel.rs485(baud), Duration.ofSeconds(30), 7);
        List<SimulatedDtu> mine = fleet.dtus().subList(from, to);
        NioEventLoopGroup loops = new NioEventLoopGroup(1);
        InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", port);
        java.util.Random random = new java.util.Random(3 + from);
        long t0 = System.nanoTime();
        long stepNanos = 1_000_000_000L / perSecond;
        for (int i = 0; i < mine.size(); i++) {
            // evenly paced, like modems redialling with their own random backoff, not in lumps of a hundred
            long wait = t0 + i * stepNanos - System.nanoTime();
            if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
            dial(mine.get(i), loops, gateway, random);
        }
        // the summary comes about when the gateway's run ends, before it closes the tunnels
        long left = t0 + TimeUnit.SECONDS.toNanos(Math.max(1, seconds - 3)) - System.nanoTime();
        if (left > 0) Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
        long connected = mine.stream().filter(SimulatedDtu::isConnected).count();
        long requests = mine.stream().mapToLong(SimulatedDtu::requests).sum();
        System.out.printf("sim: %d of %d DTUs still connected, %d requests answered; simulator RSS %d MiB%n", connected,
                mine.size(), requests, rssMiB(new RandomAccessFile("/proc/self/status", "r")));
        System.out.flush();
        // stay up until the gateway has finished (it deletes the count file), so it never sees its DTUs leave
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Files.exists(countFile) && System.nanoTime() < deadline) Thread.sleep(200);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Like a real DTU: when the tunnel drops (or cannot be opened), dial again after 2-10 s. */
    private static void dial(SimulatedDtu d, NioEventLoopGroup loops, InetSocketAddress gateway, java.util.Random random) {
        d.connect(loops, gateway).addListener((io.netty.channel.ChannelFuture f) -> {
            Runnable again = () -> loops.schedule(() -> dial(d, loops, gateway, random), 2000 + random.nextInt(8000),
                    TimeUnit.MILLISECONDS);
            if (!f.isSuccess()) again.run();
            else f.channel().closeFuture().addListener(c -> again.run());
        });
    }

    static long rssMiB(RandomAccessFile status) throws java.io.IOException {
        status.seek(0); // /proc files are regenerated when read from the start
        byte[] buf = new byte[4096];
        int n = status.read(buf);
        for (String line : new String(buf, 0, Math.max(0, n), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
        }
        return -1;
    }

    static long rssMiB(String pid) throws java.io.IOException {
        File f = new File("/proc/" + pid + "/status");
        if (!f.exists()) return -1;
        for (String line : Files.readAllLines(f.toPath())) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
        }
        return -1;
    }

    private static long openFileLimit() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
        }
        throw new IllegalStateException("no open-files limit in /proc/self/limits");
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list(); // the listing's own descriptor is closed again
        return fds == null ? -1 : fds.length - 1;
    }

    /** What the gateway's own descriptors are, grouped, for the report. */
    private static String describeFds() throws java.io.IOException {
        Map<Integer, String> kinds = new java.util.TreeMap<>();
        String[] fds = new File("/proc/self/fd").list();
        for (String fd : fds == null ? new String[0] : fds) {
            try {
                kinds.put(Integer.parseInt(fd), Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString()
                        .replaceAll("^/.*/", ""));
            } catch (java.io.IOException e) {
                // the listing's own descriptor, closed by now
            }
        }
        return kinds.toString();
    }
}
