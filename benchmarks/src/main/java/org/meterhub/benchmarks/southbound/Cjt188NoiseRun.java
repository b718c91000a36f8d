package org.meterhub.benchmarks.southbound;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * How many wrong CJ/T 188 readings line noise gets past the gateway's checks, with and without
 * confirmation on noisy lines. Meters' clocks stand still, so every register and clock is known
 * exactly. Args: {@code [noise per byte, e.g. 0.01] [seconds per mode] [dtus]}.
 */
public final class Cjt188NoiseRun {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");

    public static void main(String[] args) throws Exception {
        double noise = args.length > 0 ? Double.parseDouble(args[0]) : 0.01;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int dtus = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        for (boolean confirm : new boolean[] {false, true}) run(noise, seconds, dtus, confirm);
    }

    private static void run(double noise, int seconds, int dtus, boolean confirm) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Cjt188Fleet fleet = Cjt188Fleet.create(dtus * 2, dtus, clock, ZONE, WireModel.instant(), Duration.ZERO, 188);
        Map<String, Long> truth = new ConcurrentHashMap<>();
        for (SimulatedCjt188Meter m : fleet.meters()) truth.put(m.address().digits(), m.registerL());
        List<BusConfig> buses = new ArrayList<>();
        for (SimulatedDtu d : fleet.dtus()) {
            d.lineNoise(noise);
            buses.add(new BusConfig(d.id(), BusProtocol.CJT188, d.meters().stream()
                    .map(m -> new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS,
                            new Cjt188Options(0x30, DiOrder.HIGH_FIRST))).toList()));
        }
        AtomicLong wrongVolume = new AtomicLong();
        AtomicLong wrongOther = new AtomicLong();
        PollSettings poll = new PollSettings(Duration.ofMillis(1), Duration.ZERO, Duration.ofMillis(60), Duration.ofMillis(1),
                5, Duration.ofMillis(2), 1000, 1);
        NioEventLoopGroup gw = new NioEventLoopGroup(1);
        NioEventLoopGroup sim = new NioEventLoopGroup(1);
        DtuBusManager manager = new DtuBusManager(buses, poll, r -> {
            if (r.volumeL() != truth.get(r.meterId())) wrongVolume.incrementAndGet();
            else if (!r.time().equals(NOW) || !r.flags().isEmpty() || r.statusBits() != 0) wrongOther.incrementAndGet();
        }, ZONE, clock, Duration.ofMinutes(10)).confirmOnNoise(confirm);
        DtuServer server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), manager, gw, clock);
        manager.attach(server);
        InetSocketAddress at = server.start();
        fleet.connectAll(sim, at).forEach(f -> f.syncUninterruptibly());
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        manager.stopPolling();
        var s = manager.stats();
        var c = manager.protocolCounters();
        long polls = s.readings.get() + s.failedPolls.get();
        long corrupted = fleet.dtus().stream().mapToLong(SimulatedDtu::corruptedBytes).sum();
        System.out.printf("noise %.3f/byte, confirmation %s: %d polls, %d readings (%.2f %% of polls), %d exchanges failed, "
                        + "%d bytes corrupted; WRONG readings accepted: %d wrong volume, %d wrong time/status; "
                        + "confirmation reads %d, contradicted by the confirming reply %d%n",
                noise, confirm ? "on " : "off", polls, s.readings.get(), 100.0 * s.readings.get() / Math.max(1, polls),
                s.failedAttempts.get(), corrupted, wrongVolume.get(), wrongOther.get(), c.confirmationReads.get(),
                c.disagreements.get());
        server.close();
        gw.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        sim.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
