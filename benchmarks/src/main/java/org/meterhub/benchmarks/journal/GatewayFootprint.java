package org.meterhub.benchmarks.journal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.IntakeSettings;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.PartitionLeases;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * Footprint of a forwarding gateway with 1,000 meters: the gateway runs as its own JVM from the
 * shipped jar with {@code -Xmx64m} (the heap budget is enforced, not hoped for); 1,000 simulated
 * meters behind 50 DTUs dial in from this JVM and are read every 2 s; an engine intake here drains
 * the journal over Mosquitto. Reported: start-up (process start to listening), heap after a full
 * GC and RSS after the run, readings the engine acknowledged. Before that, start-up alone (median of
 * three) next to its peer, {@code java -version} with the same flags, and with an AppCDS archive.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.journal.GatewayFootprint [app/target/meterhub.jar] [seconds]</pre>
 */
public final class GatewayFootprint {
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "app/target/meterhub.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("footprint");
        String prefix = "mhfoot-" + System.nanoTime();
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        SimClock clock = new SimClock(Instant.now().truncatedTo(ChronoUnit.MINUTES), 60);
        Cjt188Fleet fleet = Cjt188Fleet.create(1000, 50, clock, zone, WireModel.instant(), Duration.ofSeconds(20), 7);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StringBuilder y = new StringBuilder("dtu:\n  listen: 127.0.0.1:" + port + "\npoll:\n  interval: 2s\n  jitter: 200ms\n"
                + "  max-clock-skew: 3650d\njournal:\n  path: " + dir.resolve("journal.db") + "\n  forward-to: mqtt://127.0.0.1:1883\n"
                + "  gateway-id: footprint\n  topic-prefix: " + prefix + "\nbuses:\n");
        for (SimulatedDtu d : fleet.dtus()) {
            y.append("  - dtu: ").append(d.id()).append("\n    meters:\n");
            for (SimulatedCjt188Meter m : d.meters()) y.append("      - id: \"").append(m.address().digits()).append("\"\n");
        }
        Path cfg = dir.resolve("gateway.yaml");
        Files.writeString(cfg, y);
        Path log = dir.resolve("gateway.log");
        EventLoopGroup group = new NioEventLoopGroup(1);
        // Start-up alone, three times each, median: the peer (a JVM that does nothing), the gateway as
        // shipped, and the gateway with an AppCDS archive made by one training start.
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        double peer = median(() -> timeToExit(List.of(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-version")));
        List<String> gateway = List.of("-jar", jar.toString(), "gateway", "--config", cfg.toString());
        double plain = median(() -> timeToListening(javaBin, List.of(), gateway, log));
        Path archive = dir.resolve("meterhub.jsa");
        timeToListening(javaBin, List.of("-XX:ArchiveClassesAtExit=" + archive), gateway, log);
        double cds = median(() -> timeToListening(javaBin, List.of("-XX:SharedArchiveFile=" + archive), gateway, log));
        System.out.printf("start-up, JVM start to listening, median of 3: gateway %.2f s, gateway with AppCDS %.2f s;"
                + " peer `java -version` %.2f s%n", plain, cds, peer);

        try (MeterStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("engine.db"));
             MqttIntake intake = new MqttIntake(new IntakeSettings("tcp://127.0.0.1:1883", "meterhub-footprint-engine",
                     new Topics(prefix), 16, 256, Duration.ofSeconds(1), Duration.ofSeconds(2)), PartitionLeases.all(16),
                     () -> IngestPipeline.withDefaults(store)).start()) {
            long t0 = System.nanoTime();
            Process gw = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:+UseSerialGC", "-jar", jar.toString(), "gateway", "--config", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            while (!Files.readString(log).contains("listening for DTUs")) {
                if (!gw.isAlive()) throw new IllegalStateException("gateway died:\n" + Files.readString(log));
                Thread.sleep(10);
            }
            double startup = (System.nanoTime() - t0) / 1e9;
            List<ChannelFuture> dials = fleet.connectAll(group, new InetSocketAddress("127.0.0.1", port));
            for (ChannelFuture f : dials) f.syncUninterruptibly();
            Thread.sleep(seconds * 1000L);
            String heap = jcmd(gw.pid(), "GC.run") + jcmd(gw.pid(), "GC.heap_info");
            long rssKiB = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + gw.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) rssKiB = Long.parseLong(line.replaceAll("\\D", ""));
            }
            Matcher used = Pattern.compile("used (\\d+)K").matcher(heap);
            long usedKiB = 0;
            while (used.find()) usedKiB += Long.parseLong(used.group(1)); // young + old generation
            gw.destroy();
            gw.waitFor();
            System.out.printf("gateway with 1,000 meters / 50 DTUs, %d s, -Xmx64m:%n  start-up (JVM start to listening): %.2f s%n"
                            + "  heap used after full GC: %.1f MiB (limit 64 MiB)%n  RSS: %.1f MiB%n"
                            + "  readings acknowledged by the engine: %d%n", seconds, startup, usedKiB / 1024.0, rssKiB / 1024.0,
                    intake.stats().readings());
        } finally {
            fleet.disconnectAll();
            group.shutdownGracefully().syncUninterruptibly();
        }
    }

    @FunctionalInterface
    private interface Timed {
        double seconds() throws Exception;
    }

    private static double median(Timed t) throws Exception {
        double[] v = {t.seconds(), t.seconds(), t.seconds()};
        java.util.Arrays.sort(v);
        return v[1];
    }

    private static double timeToExit(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Starts the gateway, waits for "listening for DTUs", stops it (SIGTERM, so an archive is written). */
    private static double timeToListening(String javaBin, List<String> options, List<String> args, Path log)
            throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(javaBin, "-Xmx64m", "-XX:+UseSerialGC"));
        command.addAll(options);
        command.addAll(args);
        Files.deleteIfExists(log);
        long t0 = System.nanoTime();
        Process gw = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        while (!Files.exists(log) || !Files.readString(log).contains("listening for DTUs")) {
            if (!gw.isAlive()) throw new IllegalStateException("gateway died:\n" + Files.readString(log));
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        gw.destroy();
        gw.waitFor();
        return seconds;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
