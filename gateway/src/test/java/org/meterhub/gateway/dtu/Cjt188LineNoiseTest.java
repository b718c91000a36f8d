package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * CJ/T 188 through DTUs whose RS-485 side corrupts 1 % of the bytes in both directions. The meters'
 * clock stands still, so each meter's register and clock are known exactly: any reading that differs
 * is a wrong reading that got through the checks.
 */
class Cjt188LineNoiseTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");

    @Test
    void onePercentNoiseGivesNoWrongReadingAndNinetyFivePercentOfPollsSucceed() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Cjt188Fleet fleet = Cjt188Fleet.create(8, 4, clock, ZONE, WireModel.instant(), Duration.ZERO, 188);
        Map<String, Long> truth = new ConcurrentHashMap<>();
        for (SimulatedCjt188Meter m : fleet.meters()) truth.put(m.address().digits(), m.registerL());
        List<BusConfig> buses = new ArrayList<>();
        for (SimulatedDtu d : fleet.dtus()) {
            d.lineNoise(0.01);
            buses.add(new BusConfig(d.id(), BusProtocol.CJT188, d.meters().stream()
                    .map(m -> new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS,
                            new Cjt188Options(0x30, DiOrder.HIGH_FIRST))).toList()));
        }
        AtomicLong right = new AtomicLong();
        List<Reading> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        PollSettings poll = new PollSettings(Duration.ofMillis(1), Duration.ZERO, Duration.ofMillis(60), Duration.ofMillis(1),
                5, Duration.ofMillis(2), 1000, 1);
        NioEventLoopGroup gatewayGroup = new NioEventLoopGroup(1);
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        DtuServer server = null;
        try {
            DtuBusManager manager = new DtuBusManager(buses, poll, r -> {
                boolean exact = r.volumeL() == truth.get(r.meterId()) && r.time().equals(NOW) && r.flags().isEmpty()
                        && r.statusBits() == 0;
                if (exact) right.incrementAndGet();
                else wrong.add(r);
            }, ZONE, clock, Duration.ofMinutes(10));
            server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), manager, gatewayGroup, clock);
            manager.attach(server);
            InetSocketAddress at = server.start();
            fleet.connectAll(simGroup, at).forEach(f -> f.syncUninterruptibly());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            var s = manager.stats();
            while (s.readings.get() + s.failedPolls.get() < 600 && System.nanoTime() < deadline) Thread.sleep(20);
            manager.stopPolling();
            long polls = s.readings.get() + s.failedPolls.get();
            long corrupted = fleet.dtus().stream().mapToLong(SimulatedDtu::corruptedBytes).sum();
            var c = manager.protocolCounters();
            System.out.printf("CJ/T 188 at 1%% noise: %d polls, %d readings, %d failed polls, %d failed attempts, "
                            + "%d bytes corrupted, %d confirmation reads, %d replies that passed every check but were "
                            + "contradicted by the confirming read%n", polls, s.readings.get(), s.failedPolls.get(),
                    s.failedAttempts.get(), corrupted, c.confirmationReads.get(), c.disagreements.get());
            assertThat(polls).isGreaterThanOrEqualTo(600);
            assertThat(corrupted).as("noise was on the line").isGreaterThan(300);
            assertThat(wrong).as("wrong readings accepted").isEmpty();
            assertThat(right.get()).isEqualTo(s.readings.get());
            assertThat((double) s.readings.get() / polls).as("polls that succeeded within retries").isGreaterThanOrEqualTo(0.95);
        } finally {
            if (server != null) server.close();
            gatewayGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
