package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.simulators.cjt188.MeterFault;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Simulated DTUs dial in over loopback TCP; the gateway polls their meters through the tunnel. */
class DtuPollingTest {
    private static final ZoneId ZONE = DialInRig.ZONE;
    private final DialInRig rig = new DialInRig();

    @AfterEach
    void stop() {
        rig.close();
    }

    private DtuBusManager startGateway(Cjt188Fleet fleet, SimClock clock, PollSettings poll) throws Exception {
        List<BusConfig> buses = new ArrayList<>();
        for (SimulatedDtu d : fleet.dtus()) {
            List<MeterEndpoint> eps = d.meters().stream()
                    .map(m -> new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS,
                            new Cjt188Options(0x30, DiOrder.HIGH_FIRST)))
                    .collect(Collectors.toList());
            buses.add(new BusConfig(d.id(), BusProtocol.CJT188, eps));
        }
        DtuBusManager manager = rig.manager(buses, poll, clock);
        InetSocketAddress at = rig.serve(manager, clock);
        fleet.connectAll(rig.simGroup, at).forEach(f -> f.syncUninterruptibly());
        return manager;
    }

    /**
     * @param timeout long where every reply is good (a reply a loaded machine delivers late is no failure); short only
     *                where damaged replies, each waiting out the timeout, are the scenario
     */
    private static PollSettings fastPoll(Duration timeout) {
        return new PollSettings(Duration.ofMillis(100), Duration.ofMillis(20), timeout,
                Duration.ofMillis(2), 2, Duration.ofMillis(20), 3, 4);
    }

    @Test
    void everyMeterIsReadAndEachReadingIsItsOwnRegister() throws Exception {
        SimClock clock = new SimClock(Instant.parse("2026-11-24T00:00:00Z"), 600);
        Cjt188Fleet fleet = Cjt188Fleet.create(12, 3, clock, ZONE, WireModel.rs485(115200), Duration.ofSeconds(20), 7);
        DtuBusManager manager = startGateway(fleet, clock, fastPoll(Duration.ofSeconds(30)));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && rig.readings.stream().map(Reading::meterId).distinct().count() < 12) {
            Thread.sleep(20);
        }
        manager.readAllNow().get(5, TimeUnit.MINUTES);
        Map<String, List<Reading>> byMeter = rig.readings.stream().collect(Collectors.groupingBy(Reading::meterId));
        assertThat(byMeter).hasSize(12);
        for (SimulatedCjt188Meter m : fleet.meters()) {
            List<Reading> rs = byMeter.get(m.address().digits());
            long now = m.registerL();
            assertThat(rs).allSatisfy(r -> {
                assertThat(r.volumeL()).isBetween(m.initialRegisterL(), now);
                assertThat(r.flags()).doesNotContain(ReadingFlag.CLOCK_INVALID, ReadingFlag.CLOCK_SKEW);
            });
        }
        assertThat(manager.onlineMeters()).isEqualTo(12);
    }

    @Test
    void repliesWithAWrongAddressAreNeverCredited() throws Exception {
        SimClock clock = new SimClock(Instant.parse("2026-11-24T00:00:00Z"), 600);
        Cjt188Fleet fleet = Cjt188Fleet.create(3, 1, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), 9);
        SimulatedCjt188Meter liar = fleet.meters().get(0);
        liar.inject(MeterFault.WRONG_ADDRESS, 1.0);
        // The liar's replies are ignored, so each of its reads waits out the timeout: 1 s, long enough that the honest
        // neighbours' replies never miss it (two misses in a row would degrade them too), short enough to be quick.
        PollSettings impatient = new PollSettings(Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofSeconds(1),
                Duration.ofMillis(2), 0, Duration.ofMillis(20), 2, 4);
        DtuBusManager manager = startGateway(fleet, clock, impatient);
        SimulatedCjt188Meter neighbour = fleet.meters().get(1);
        // until the liar has failed often enough to be degraded, and its neighbour was read
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && (manager.stats().degraded.get() < 1
                || rig.readings.stream().noneMatch(r -> r.meterId().equals(neighbour.address().digits())))) {
            Thread.sleep(20);
        }
        manager.readAllNow().get(5, TimeUnit.MINUTES);
        assertThat(rig.readings).noneMatch(r -> r.meterId().equals(liar.address().digits()));
        assertThat(rig.readings).filteredOn(r -> r.meterId().equals(neighbour.address().digits()))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.volumeL()).isBetween(neighbour.initialRegisterL(), neighbour.registerL()));
        assertThat(manager.protocolCounters().mismatched.get()).isPositive();
        assertThat(manager.stats().degraded.get()).isEqualTo(1);
    }

    @Test
    void corruptedAndNoisyRepliesAreRetriedAndNeverCreditedWrongly() throws Exception {
        SimClock clock = new SimClock(Instant.parse("2026-11-24T00:00:00Z"), 600);
        Cjt188Fleet fleet = Cjt188Fleet.create(6, 2, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), 11);
        for (SimulatedCjt188Meter m : fleet.meters()) {
            m.inject(MeterFault.CORRUPT_BYTE, 0.3);
            m.inject(MeterFault.GARBAGE_BEFORE, 0.3);
        }
        DtuBusManager manager = startGateway(fleet, clock, fastPoll(Duration.ofMillis(500)));
        // a noisy line makes the gateway confirm each reading with a second reply, and every damaged reply costs
        // a timeout: wait until each meter has been read rather than for a fixed time
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && rig.readings.stream().map(Reading::meterId).distinct().count() < 6) {
            Thread.sleep(20);
        }
        manager.readAllNow().get(5, TimeUnit.MINUTES);
        assertThat(manager.protocolCounters().confirmationReads.get()).as("noise makes the gateway confirm").isPositive();
        for (SimulatedCjt188Meter m : fleet.meters()) {
            assertThat(rig.readings).filteredOn(r -> r.meterId().equals(m.address().digits()))
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.volumeL()).isBetween(m.initialRegisterL(), m.registerL()));
        }
        // Damaged replies are asked for again at once (quick retry) or, after several in a row or a timeout,
        // by the poller (a failed attempt). Which of the two depends on how the bytes happen to arrive (a
        // loaded machine delivers garbage and frame together more often), so the test asks for either.
        assertThat(manager.protocolCounters().quickRetries.get() + manager.stats().failedAttempts.get())
                .as("damaged replies were asked for again").isPositive();
    }

    @Test
    void aMeterWhoseClockIsZeroIsReadWithReceiveTimeAndFlagged() throws Exception {
        SimClock clock = new SimClock(Instant.parse("2026-11-24T00:00:00Z"), 1);
        Cjt188Fleet fleet = Cjt188Fleet.create(1, 1, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), 3);
        fleet.meters().get(0).inject(MeterFault.CLOCK_ZERO, 1.0);
        DtuBusManager manager = startGateway(fleet, clock, fastPoll(Duration.ofSeconds(30)));
        manager.readAllNow().get(5, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5); // the reading reaches the sink just after
        while (rig.readings.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(rig.readings).isNotEmpty().allSatisfy(r -> {
            assertThat(r.flags()).contains(ReadingFlag.CLOCK_INVALID);
            assertThat(r.time()).isEqualTo(r.receivedAt());
        });
    }
}
