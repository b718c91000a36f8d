package org.meterhub.benchmarks.southbound;

import io.netty.channel.nio.NioEventLoopGroup;
import java.io.File;
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
 * reported is the gateway's own and each process needs one descriptor per DTU. This process is the
 * gateway; it starts the simulators as a child process on the same class path.
 *
 * <p>Args: {@code [dtus] [seconds] [baud]}; baud 0 = no wire time (replies as fast as the simulator
 * can send them), which leaves the gateway-side latency. Each bus has one meter, polled every 60 s
 * (+ up to 5 s jitter). Simulated DTUs dial in at 500 a second and redial 2-10 s after a dropped tunnel.
 * Latency percentiles are reported for the whole run and for the steady state
 * (after the first 75 s, when every DTU has connected and been polled once).
 */
public final class DialInTwoProcessRun {
    private static final long STEADY_AFTER_S = 75;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("sim")) {
            sim(args);
            return;
        }
        int dtus = args.length > 0 ? Integer.parseInt(args[0]) : 19_900;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 180;
        int baud = args.length > 2 ? Integer.parseInt(args[2]) : 9600;
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        Clock clock = Clock.systemUTC();
        List<BusConfig> buses = new ArrayList<>();
        for (int i = 0; i < dtus; i++) {
            String address = String.format("30%012d", i + 1); // Cjt188Fleet's numbering: meter i on DTU i
            buses.add(new BusConfig(Cjt188Fleet.dtuId(i), BusProtocol.CJT188,
                    List.of(new MeterEndpoint(address, address, Medium.GAS, new Cjt188Options(0x30, DiOrder.HIGH_FIRST)))));
        }
        PollSettings poll = new PollSettings(Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofMillis(20), 2, Duration.ofMillis(200), 3, 4);
        Map<String, Boolean> served = new ConcurrentHashMap<>();
        NioEventLoopGroup loops = new NioEventLoopGroup(2);
        DtuBusManager manager = new DtuBusManager(buses, poll, r -> served.put(r.meterId(), Boolean.TRUE), zone, clock,
                Duration.ofMinutes(10));
        DtuServer server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), manager, loops, clock);
        manager.attach(server);
        InetSocketAddress at = server.start();
        Path simLog = Files.createTempFile("dialin-sim", ".log");
        Process sim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), DialInTwoProcessRun.class.getName(), "sim",
                String.valueOf(at.getPort()), String.valueOf(dtus), String.valueOf(baud), String.valueOf(seconds + 30))
                .redirectErrorStream(true).redirectOutput(simLog.toFile()).start();
        System.out.printf("gateway pid %d on %s, simulators pid %d (log %s), %d DTUs, %s%n", ProcessHandle.current().pid(), at,
                sim.pid(), simLog, dtus, baud == 0 ? "no wire time" : baud + " baud 8N1 wire time");
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
        Histogram steady = new Histogram(3);
        long maxRss = 0;
        for (int s = 0; s < seconds; s += 5) {
            Thread.sleep(5000);
            Histogram interval = manager.stats().latencyMicros.getIntervalHistogram();
            all.add(interval);
            if (s + 5 > STEADY_AFTER_S) steady.add(interval);
            long rss = rssMiB("self");
            maxRss = Math.max(maxRss, rss);
            if ((s + 5) % 15 == 0) {
                System.out.printf("t=%3ds connected %d/%d served %d readings %d failed polls %d gateway RSS %d MiB sim RSS %d MiB%n",
                        s + 5, server.connectedCount(), dtus, served.size(), manager.stats().readings.get(),
                        manager.stats().failedPolls.get(), rss, rssMiB(String.valueOf(sim.pid())));
            }
        }
        System.gc();
        System.out.printf("%d DTUs for %.0f s: connected %d, DTUs served at least once %d (%s), readings %d, failed polls %d, "
                        + "failed attempts %d%n", dtus, (System.nanoTime() - t0) / 1e9, server.connectedCount(), served.size(),
                served.size() == dtus ? "all" : "NOT all", manager.stats().readings.get(), manager.stats().failedPolls.get(),
                manager.stats().failedAttempts.get());
        var c = manager.protocolCounters();
        System.out.printf("CJ/T 188 session: timeouts %d, mismatched %d, unsolicited %d, confirmation reads %d, disagreements %d, "
                        + "heartbeats %d%n", c.timeouts.get(), c.mismatched.get(), c.unsolicited.get(), c.confirmationReads.get(),
                c.disagreements.get(), server.stats().heartbeats.get());
        System.out.printf("request-to-reading, whole run:      p50 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)%n",
                all.getValueAtPercentile(50) / 1e3, all.getValueAtPercentile(99) / 1e3, all.getMaxValue() / 1e3, all.getTotalCount());
        System.out.printf("request-to-reading, steady (>%ds): p50 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)%n", STEADY_AFTER_S,
                steady.getValueAtPercentile(50) / 1e3, steady.getValueAtPercentile(99) / 1e3, steady.getMaxValue() / 1e3,
                steady.getTotalCount());
        if (baud > 0) {
            System.out.printf("of which wire time per exchange: %.1f ms (request 18 + reply 37 bytes at %d 8N1 + 5 ms meter)%n",
                    WireModel.rs485(baud).exchangeMicros(18, 37) / 1e3, baud);
        }
        System.out.printf("gateway RSS now %d MiB, max %d MiB; heap used after GC %d MiB; simulators RSS %d MiB%n", rssMiB("self"),
                maxRss, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                rssMiB(String.valueOf(sim.pid())));
        synchronized (loopLate) {
            synchronized (threadLate) {
                System.out.printf("stalls: gateway event-loop tick late p99 %.1f ms max %.1f ms; plain thread late p99 %.1f ms max %.1f ms%n",
                        loopLate.getValueAtPercentile(99) / 1e3, loopLate.getMaxValue() / 1e3,
                        threadLate.getValueAtPercentile(99) / 1e3, threadLate.getMaxValue() / 1e3);
            }
        }
        watcher.interrupt();
        sim.destroy();
        sim.waitFor(10, TimeUnit.SECONDS);
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** The simulator process: dials {@code dtus} DTUs into the gateway, paced, and keeps them up. */
    private static void sim(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        int dtus = Integer.parseInt(args[2]);
        int baud = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        Cjt188Fleet fleet = Cjt188Fleet.create(dtus, dtus, Clock.systemUTC(), ZoneId.of("Asia/Shanghai"),
                baud == 0 ? WireModel.instant() : WireModel.rs485(baud), Duration.ofSeconds(30), 7);
        NioEventLoopGroup loops = new NioEventLoopGroup(2);
        InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", port);
        int i = 0;
        java.util.Random random = new java.util.Random(3);
        for (SimulatedDtu d : fleet.dtus()) {
            dial(d, loops, gateway, random);
            if (++i % 100 == 0) Thread.sleep(200); // 500 dial-ins a second, like a district after a cell outage
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long connected = fleet.dtus().stream().filter(SimulatedDtu::isConnected).count();
        System.out.printf("sim: %d of %d DTUs still connected%n", connected, dtus);
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

    static long rssMiB(String pid) throws java.io.IOException {
        File f = new File("/proc/" + pid + "/status");
        if (!f.exists()) return -1;
        for (String line : Files.readAllLines(f.toPath())) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
        }
        return -1;
    }
}
