package org.meterhub.app.sim;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.Durations;
import org.meterhub.app.config.HostPort;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Simulated DTUs and CJ/T 188 gas meters dialling into a separately running gateway. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run simulated 4G DTUs with CJ/T 188 gas meters that dial into a gateway.")
public final class SimCommand implements Callable<Integer> {

    @Option(names = "--gateway", defaultValue = "127.0.0.1:7700", description = "Gateway dial-in address (default ${DEFAULT-VALUE}).")
    String gateway;

    @Option(names = "--meters", defaultValue = "200", description = "Meters (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--dtus", defaultValue = "10", description = "DTUs (default ${DEFAULT-VALUE}).")
    int dtus;

    @Option(names = "--baud", defaultValue = "9600", description = "RS-485 speed behind each DTU (default ${DEFAULT-VALUE}).")
    int baud;

    @Option(names = "--speed", defaultValue = "1",
            description = "Simulated seconds per real second (default ${DEFAULT-VALUE}; a gateway on real time flags meter clocks that run fast).")
    long speed;

    @Option(names = "--duration", defaultValue = "0", description = "How long to run; 0 until Ctrl-C (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--seed", defaultValue = "188", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--write-config", description = "Write a gateway YAML listing these DTUs and meters, then exit.")
    Path writeConfig;

    @Option(names = "--truth", defaultValue = "data/sim-truth.csv", description = "Ground truth CSV written at the end (default ${DEFAULT-VALUE}).")
    Path truth;

    @Override
    public Integer call() throws Exception {
        if (meters < 1 || dtus < 1 || dtus > meters) throw new ConfigException("--meters/--dtus: need 1 <= dtus <= meters");
        HostPort target;
        try {
            target = HostPort.parse(gateway);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--gateway: " + e.getMessage());
        }
        Duration runFor;
        try {
            runFor = duration.equals("0") ? Duration.ZERO : Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--duration: " + e.getMessage());
        }
        SimClock clock = new SimClock(Instant.now().truncatedTo(ChronoUnit.SECONDS), speed);
        java.time.ZoneId zone = java.time.ZoneId.of("Asia/Shanghai");
        Cjt188Fleet fleet = Cjt188Fleet.create(meters, dtus, clock, zone,
                baud == 0 ? WireModel.instant() : WireModel.rs485(baud), Duration.ofSeconds(20), seed);
        if (writeConfig != null) {
            writeGatewayConfig(fleet, writeConfig);
            System.out.println("wrote " + writeConfig);
            return 0;
        }
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(10));
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            fleet.connectAll(group, new InetSocketAddress(target.host(), target.port()))
                    .forEach(f -> f.awaitUninterruptibly());
            long connected = fleet.dtus().stream().filter(SimulatedDtu::isConnected).count();
            System.out.printf("sim: %d of %d DTUs connected to %s with %d meters%n", connected, dtus, target, meters);
            signal.await(runFor);
            fleet.disconnectAll();
            Files.createDirectories(truth.toAbsolutePath().getParent());
            try (Writer w = Files.newBufferedWriter(truth)) {
                fleet.writeTruth(w);
            }
            System.out.println("ground truth written to " + truth);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            signal.finished();
        }
        return 0;
    }

    private static void writeGatewayConfig(Cjt188Fleet fleet, Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), true, java.nio.charset.StandardCharsets.UTF_8)) {
            out.println("# Written by `meterhub sim --write-config`: the simulated DTUs and their meters.");
            out.println("zone: Asia/Shanghai");
            out.println("store: jdbc:sqlite:data/meterhub.db");
            out.println("dtu:");
            out.println("  listen: 0.0.0.0:7700");
            out.println("buses:");
            for (SimulatedDtu d : fleet.dtus()) {
                out.println("  - dtu: " + d.id());
                out.println("    protocol: cjt188");
                out.println("    meters:");
                for (SimulatedCjt188Meter m : d.meters()) {
                    out.println("      - id: \"" + m.address().digits() + "\"");
                    out.println("        type: gas");
                    out.println("        base-reading-l: " + m.initialRegisterL());
                }
            }
        }
    }
}
