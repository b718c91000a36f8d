package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.simulators.cjt188.MeterFault;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * A reply that arrives damaged is asked for again as soon as the line is quiet, not after the
 * per-request timeout; the reading comes only from a reply that passed every check.
 */
class DamagedReplyRetryTest {
    private static final ZoneId ZONE = DialInRig.ZONE;
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    private final DialInRig rig = new DialInRig();

    @AfterEach
    void stop() {
        rig.close();
    }

    /**
     * The timeout (30 s) is far longer than the test may run: every read that succeeds after a damaged
     * reply was asked again without waiting for it. The poller makes no retries of its own, so each
     * reading after damage comes from the session's resend.
     */
    private DtuBusManager gateway(Cjt188Fleet fleet, Clock clock) throws Exception {
        SimulatedDtu dtu = fleet.dtus().get(0);
        BusConfig bus = new BusConfig(dtu.id(), BusProtocol.CJT188, dtu.meters().stream()
                .map(m -> new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS,
                        new Cjt188Options(0x30, DiOrder.HIGH_FIRST))).toList());
        PollSettings poll = new PollSettings(Duration.ofMillis(5), Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(3),
                0, Duration.ofMillis(5), 1000, 1);
        DtuBusManager manager = rig.manager(List.of(bus), poll, clock)
                .confirmOnNoise(false); // one good reply credits: what is tested is which reply that is
        InetSocketAddress at = rig.serve(manager, clock);
        fleet.connectAll(rig.simGroup, at).forEach(f -> f.syncUninterruptibly());
        return manager;
    }

    @Test
    void aCorruptedReplyIsAskedForAgainAtOnceAndOnlyTheGoodReplyIsCredited() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC); // register and clock stand still: the truth is exact
        Cjt188Fleet fleet = Cjt188Fleet.create(1, 1, clock, ZONE, WireModel.instant(), Duration.ZERO, 41);
        SimulatedCjt188Meter meter = fleet.meters().get(0);
        long truth = meter.registerL();
        meter.inject(MeterFault.CORRUPT_BYTE, 0.4);
        DtuBusManager manager = gateway(fleet, clock);

        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && (rig.readings.size() < 20 || manager.protocolCounters().quickRetries.get() < 5)) {
            Thread.sleep(20);
        }
        var c = manager.protocolCounters();
        assertThat(c.quickRetries.get()).as("damaged replies asked for again").isGreaterThanOrEqualTo(5);
        assertThat(c.timeouts.get()).as("no read waited for its 30 s timeout").isZero();
        assertThat(rig.readings).hasSizeGreaterThanOrEqualTo(20)
                .allSatisfy(r -> assertThat(r.volumeL()).as("reading from a good reply only").isEqualTo(truth));
        assertThat(fleet.dtus().get(0).replies()).as("every reading after damage cost one more exchange")
                .isGreaterThan(rig.readings.size());
    }

    @Test
    void aReplyFromTheWrongMeterIsAskedForAgainAndAfterTheBudgetTheReadFailsFast() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Cjt188Fleet fleet = Cjt188Fleet.create(2, 1, clock, ZONE, WireModel.instant(), Duration.ZERO, 43);
        SimulatedCjt188Meter liar = fleet.meters().get(0);
        SimulatedCjt188Meter honest = fleet.meters().get(1);
        liar.inject(MeterFault.WRONG_ADDRESS, 1.0); // answers with its neighbour's address, every time
        DtuBusManager manager = gateway(fleet, clock);

        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && manager.stats().failedPolls.get() < 5) Thread.sleep(20);
        var c = manager.protocolCounters();
        // each failed read: the first request and DEFAULT_MAX_PER_READ resends, all answered by the wrong meter
        assertThat(manager.stats().failedPolls.get()).isGreaterThanOrEqualTo(5);
        assertThat(c.quickRetries.get()).isGreaterThanOrEqualTo(5L * 2);
        assertThat(c.timeouts.get()).as("failed as BAD_REPLY, not after the 30 s timeout").isZero();
        assertThat(rig.readings).noneMatch(r -> r.meterId().equals(liar.address().digits()));
        assertThat(rig.readings).filteredOn(r -> r.meterId().equals(honest.address().digits())).isNotEmpty()
                .allSatisfy(r -> assertThat(r.volumeL()).isEqualTo(honest.registerL()));
    }
}
