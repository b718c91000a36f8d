package org.meterhub.benchmarks.southbound;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * Many simulated DTUs (one meter each, 9600-baud wire time) dialling into one DTU server on
 * loopback, each bus polled every 60 s. Gateway and simulators share this JVM (and its open-file
 * limit: two descriptors per DTU), so the RSS reported is an upper bound for the gateway alone.
 * Args: [dtus] [seconds].
 */
public final class DialInScaleRun {
    public static void main(String[] args) throws Exception {
        int dtus = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 75;
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        Clock clock = Clock.systemUTC();
        Cjt188Fleet fleet = Cjt188Fleet.create(dtus, dtus, clock, zone, WireModel.rs485(9600), Duration.ofSeconds(30), 7);
        List<BusConfig> buses = new ArrayList<>();
        for (SimulatedDtu d : fleet.dtus()) {
            List<MeterEndpoint> ms = new ArrayList<>();
            for (SimulatedCjt188Meter m : d.meters()) {
                ms.add(new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS, new Cjt188Options(0x30, DiOrder.HIGH_FIRST)));
            }
            buses.add(new BusConfig(d.id(), BusProtocol.CJT188, ms));
        }
        PollSettings poll = new PollSettings(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(2),
                Duration.ofMillis(20), 2, Duration.ofMillis(200), 3, 4);
        NioEventLoopGroup gatewayLoops = new NioEventLoopGroup(2);
        NioEventLoopGroup simLoops = new NioEventLoopGroup(2);
        DtuBusManager manager = new DtuBusManager(buses, poll, r -> { }, zone, clock, Duration.ofMinutes(10));
        DtuServer server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), manager, gatewayLoops, clock);
        manager.attach(server);
        InetSocketAddress at = server.start();
        long t0 = System.nanoTime();
        for (SimulatedDtu d : fleet.dtus()) {
            d.connect(simLoops, at);
        }
        for (int s = 0; s < seconds; s += 5) {
            Thread.sleep(5000);
            System.out.printf("t=%3ds connected %d/%d readings %d failed polls %d RSS %d MiB%n", s + 5, server.connectedCount(), dtus,
                    manager.stats().readings.get(), manager.stats().failedPolls.get(), rssMiB());
        }
        var h = manager.stats().latencyMicros.getIntervalHistogram();
        long served = fleet.dtus().stream().filter(d -> d.replies() > 0).count();
        System.out.printf("%d DTUs, %.0f s: connected %d, DTUs served at least once %d, readings %d, failed polls %d%n", dtus,
                (System.nanoTime() - t0) / 1e9, server.connectedCount(), served, manager.stats().readings.get(),
                manager.stats().failedPolls.get());
        System.out.printf("request-to-reading p50 %.1f ms p99 %.1f ms max %.1f ms (9600-baud wire time is ~63 ms of it)%n",
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
        System.out.printf("process RSS (gateway + simulators) %d MiB, heap used %d MiB%n", rssMiB(),
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        fleet.disconnectAll();
        server.close();
        gatewayLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        simLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static long rssMiB() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
        }
        return -1;
    }
}
