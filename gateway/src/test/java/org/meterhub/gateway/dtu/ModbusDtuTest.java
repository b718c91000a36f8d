package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.gateway.modbus.ModbusOptions;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.modbus.RegisterProfiles;
import org.meterhub.simulators.dtu.SimulatedModbusDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusFault;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.SimulatedEvc;

/** Modbus RTU slaves (evc-basic converters) behind a dial-in DTU, over loopback TCP. */
class ModbusDtuTest {
    private static final ZoneId ZONE = DialInRig.ZONE;
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private final DialInRig rig = new DialInRig();

    @AfterEach
    void stop() {
        rig.close();
    }

    private static MeterEndpoint evc(String id, int unit) {
        return new MeterEndpoint(id, String.valueOf(unit), Medium.GAS, new ModbusOptions(unit, RegisterProfiles.builtIn("evc-basic")));
    }

    private DtuBusManager start(SimulatedModbusDtu dtu, List<MeterEndpoint> meters, PollSettings poll) throws Exception {
        DtuBusManager manager = rig.manager(List.of(new BusConfig(dtu.id(), BusProtocol.MODBUS_RTU, meters)), poll, CLOCK);
        InetSocketAddress at = rig.serve(manager, CLOCK);
        dtu.connect(rig.simGroup, at).syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (rig.server.connectedCount() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
        return manager;
    }

    /** Every converter answers well: a long timeout only bounds a reply a loaded machine delivers late. */
    private static PollSettings patientPoll(int retries) {
        return new PollSettings(Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofSeconds(30), Duration.ofMillis(2),
                retries, Duration.ofMillis(10), 3, 4);
    }

    /** Wrong units and garbage each wait out the timeout: short, as that scenario needs. */
    private static PollSettings fastPoll(int retries) {
        return new PollSettings(Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(300), Duration.ofMillis(2),
                retries, Duration.ofMillis(10), 3, 4);
    }

    @Test
    void evcBasicConvertersAreReadExactlyWithTheWireTimeOf9600Baud() throws Exception {
        SimulatedEvc a = new SimulatedEvc(1, 2_000_000, 1_950_017, 30_000, CLOCK, ZONE, 1);
        SimulatedEvc b = new SimulatedEvc(2, 10_000, 9_999, 30_000, CLOCK, ZONE, 2);
        SimulatedModbusDtu dtu = new SimulatedModbusDtu("MB-1", new ModbusResponder(List.of(a, b), 0, 3),
                WireModel.rs485(9600), Duration.ofMillis(50));
        DtuBusManager manager = start(dtu, List.of(evc("EVC-1", 1), evc("EVC-2", 2)), patientPoll(1));
        manager.readAllNow().get(5, TimeUnit.MINUTES);
        assertThat(rig.readings).extracting(Reading::meterId).contains("EVC-1", "EVC-2");
        assertThat(rig.readings).allSatisfy(r -> {
            assertThat(r.volumeL()).isEqualTo(r.meterId().equals("EVC-1") ? a.vbLitres() : b.vbLitres());
            assertThat(r.source()).isEqualTo(ReadingSource.MODBUS);
            assertThat(r.time()).isEqualTo(NOW);
        });
        // request 8 bytes + reply 31 bytes at 9600 8N1 plus the simulated 5 ms reaction
        // compared bucket to bucket: HdrHistogram reports the lowest value of the minimum's bucket
        org.HdrHistogram.Histogram latency = manager.stats().latencyMicros.getIntervalHistogram();
        assertThat(latency.getMinNonZeroValue())
                .isGreaterThanOrEqualTo(latency.lowestEquivalentValue(WireModel.rs485(9600).exchangeMicros(8, 31)));
        assertThat(manager.onlineMeters()).isEqualTo(2);
    }

    @Test
    void wrongUnitCorruptionGarbageAndExceptionsAreNeverCredited() throws Exception {
        SimulatedEvc liar = new SimulatedEvc(1, 5_000, 4_900, 30_000, CLOCK, ZONE, 1);
        liar.inject(ModbusFault.WRONG_UNIT, 1.0);
        SimulatedEvc noisy = new SimulatedEvc(2, 77_000, 76_543, 30_000, CLOCK, ZONE, 2);
        noisy.inject(ModbusFault.CORRUPT_BYTE, 0.3);
        noisy.inject(ModbusFault.GARBAGE_BEFORE, 0.3);
        SimulatedEvc broken = new SimulatedEvc(3, 1_000, 1_000, 30_000, CLOCK, ZONE, 3);
        broken.inject(ModbusFault.EXCEPTION_REPLY, 1.0);
        SimulatedModbusDtu dtu = new SimulatedModbusDtu("MB-2", new ModbusResponder(List.of(liar, noisy, broken), 0, 4),
                WireModel.instant(), Duration.ofMillis(20));
        DtuBusManager manager = start(dtu, List.of(evc("EVC-1", 1), evc("EVC-2", 2), evc("EVC-3", 3)), fastPoll(3));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (rig.readings.stream().filter(r -> r.meterId().equals("EVC-2")).count() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(rig.readings).filteredOn(r -> r.meterId().equals("EVC-2")).hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(r -> assertThat(r.volumeL()).isEqualTo(noisy.vbLitres()));
        assertThat(rig.readings).noneMatch(r -> r.meterId().equals("EVC-1") || r.meterId().equals("EVC-3"));
        assertThat(manager.modbusCounters().mismatched.get()).isPositive();
        assertThat(manager.modbusCounters().exceptionReplies.get()).isPositive();
        assertThat(manager.modbusCounters().quickRetries.get()).as("damaged and wrong-unit replies asked for again at once")
                .isPositive();
        assertThat(manager.stats().failedAttempts.get()).isPositive();
        assertThat(rig.server.isConnected("MB-2")).as("a wrong unit is ignored, not a reason to drop the bus").isTrue();
    }

    @Test
    void aBabblingDtuIsCutOffAndCounted() throws Exception {
        SimulatedEvc a = new SimulatedEvc(1, 5_000, 4_900, 30_000, CLOCK, ZONE, 1);
        SimulatedModbusDtu dtu = new SimulatedModbusDtu("MB-3", new ModbusResponder(List.of(a), 0, 5),
                WireModel.instant(), Duration.ZERO);
        byte[] noise = new byte[1500];
        new java.util.Random(9).nextBytes(noise);
        dtu.babble(noise);
        DtuBusManager manager = start(dtu, List.of(evc("EVC-1", 1)), fastPoll(3));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (rig.server.isConnected("MB-3") && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(rig.server.isConnected("MB-3")).isFalse();
        assertThat(manager.modbusCounters().cutOff.get()).isEqualTo(1);
        assertThat(rig.readings).isEmpty();
    }

    @Test
    void oneMeterIsReadOnDemandThroughItsBusPoller() throws Exception {
        SimulatedEvc a = new SimulatedEvc(1, 2_000_000, 1_950_017, 30_000, CLOCK, ZONE, 1);
        SimulatedEvc b = new SimulatedEvc(2, 10_000, 9_999, 30_000, CLOCK, ZONE, 2);
        SimulatedModbusDtu dtu = new SimulatedModbusDtu("MB-4", new ModbusResponder(List.of(a, b), 0, 3),
                WireModel.rs485(19200), Duration.ZERO);
        // a poll interval far longer than the test: every read after the first round is on demand
        PollSettings hourly = new PollSettings(Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(2),
                2, Duration.ofMillis(10), 3, 4);
        DtuBusManager manager = start(dtu, List.of(evc("EVC-1", 1), evc("EVC-2", 2)), hourly);
        manager.readAllNow().get(5, TimeUnit.MINUTES);
        long before = dtu.requests();
        List<java.util.concurrent.CompletableFuture<Reading>> asked = List.of(manager.readNow("EVC-2"),
                manager.readNow("EVC-1"), manager.readNow("EVC-2"));
        for (var f : asked) f.get(5, TimeUnit.MINUTES);
        assertThat(asked.get(0).get().volumeL()).isEqualTo(b.vbLitres());
        assertThat(asked.get(1).get().volumeL()).isEqualTo(a.vbLitres());
        assertThat(dtu.requests() - before).as("one request per on-demand read, one at a time").isEqualTo(3);
        assertThat(rig.readings).filteredOn(r -> r.meterId().equals("EVC-2")).hasSizeGreaterThanOrEqualTo(3);
        assertThatThrownBy(() -> manager.readNow("NOPE").get(5, TimeUnit.MINUTES))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
        dtu.disconnect();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (rig.server.isConnected("MB-4") && System.nanoTime() < deadline) Thread.sleep(5);
        assertThatThrownBy(() -> manager.readNow("EVC-1").get(5, TimeUnit.MINUTES))
                .hasCauseInstanceOf(ReadFailure.class).hasMessageContaining("not connected");
    }
}
