package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
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
import org.meterhub.simulators.clock.HandClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Monthly settlement-day reads through dial-in DTUs: the clock (shared by the simulated meters and the
 * gateway) is moved by hand across settlement days; the gateway must deliver exactly one settlement reading
 * per meter and month, with exactly the register the meter stored at that instant.
 */
class SettlementDayReadTest {
    private static final ZoneId ZONE = DialInRig.ZONE;
    private final DialInRig rig = new DialInRig();
    private InetSocketAddress gateway;

    /** The instant of a local time in the utility's zone. */
    private static Instant at(LocalDateTime local) {
        return local.atZone(ZONE).toInstant();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private DtuBusManager startGateway(Cjt188Fleet fleet, Clock clock, PollSettings poll) throws Exception {
        List<BusConfig> buses = new ArrayList<>();
        int i = 0;
        for (SimulatedDtu d : fleet.dtus()) {
            List<MeterEndpoint> eps = new ArrayList<>();
            for (SimulatedCjt188Meter m : d.meters()) {
                // both DI byte orders on the wire
                DiOrder order = i++ % 2 == 0 ? DiOrder.HIGH_FIRST : DiOrder.LOW_FIRST;
                eps.add(new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS,
                        new Cjt188Options(0x30, order), null, m.settlementDay()));
            }
            buses.add(new BusConfig(d.id(), BusProtocol.CJT188, eps));
        }
        DtuBusManager manager = rig.manager(buses, poll, clock);
        gateway = rig.serve(manager, clock);
        fleet.connectAll(rig.simGroup, gateway).forEach(f -> f.syncUninterruptibly());
        return manager;
    }

    /**
     * @param timeout how long a request waits for its reply: long where every meter answers (a reply a loaded machine
     *                delivers late is no failure), short only where a silent meter's timeouts are the scenario
     */
    private static PollSettings fastPoll(Duration timeout) {
        return new PollSettings(Duration.ofMillis(100), Duration.ofMillis(20), timeout,
                Duration.ofMillis(2), 2, Duration.ofMillis(20), 3, 4);
    }

    private List<Reading> settlements(String meterId) {
        return rig.readings.stream().filter(r -> r.meterId().equals(meterId) && r.has(ReadingFlag.SETTLEMENT)).toList();
    }

    private long regularReadings() {
        return rig.readings.stream().filter(r -> !r.has(ReadingFlag.SETTLEMENT)).count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** Waits until a few more regular polls went by, so a second settlement reading would have had its chance. */
    private void letPollsRun() throws InterruptedException {
        long before = regularReadings();
        await("more regular polls", () -> regularReadings() >= before + 12);
    }

    private void awaitSettlement(SimulatedCjt188Meter m, YearMonth month) throws InterruptedException {
        await(m.address().digits() + " settlement of " + month, () -> settlements(m.address().digits()).stream()
                .anyMatch(r -> r.time().equals(m.settlementInstant(month))));
    }

    @Test
    void oneSettlementReadingPerMeterAndMonthWithTheMetersOwnRegister() throws Exception {
        HandClock clock = new HandClock(at(LocalDateTime.of(2026, 11, 30, 23, 40)));
        Cjt188Fleet fleet = Cjt188Fleet.create(4, 2, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), 21);
        List<SimulatedCjt188Meter> meters = fleet.meters();
        SimulatedCjt188Meter onThe3rd = meters.get(3).settlementDay(3);
        DtuBusManager manager = startGateway(fleet, clock, fastPoll(Duration.ofSeconds(30)));

        // November's settlements passed before the simulation began: they are the initial registers
        for (SimulatedCjt188Meter m : meters) awaitSettlement(m, YearMonth.of(2026, 11));
        letPollsRun();

        // across 1 December 00:00: day-1 meters settle, the day-3 meter does not yet
        clock.set(at(LocalDateTime.of(2026, 12, 1, 0, 5)));
        letPollsRun(); // within the 10-minute delay: nothing owed yet
        assertThat(rig.readings).filteredOn(r -> r.has(ReadingFlag.SETTLEMENT)).hasSize(4);
        clock.set(at(LocalDateTime.of(2026, 12, 1, 0, 30)));
        for (SimulatedCjt188Meter m : meters) if (m != onThe3rd) awaitSettlement(m, YearMonth.of(2026, 12));

        // a DTU that redials does not read a month again, nor forget one
        fleet.disconnectAll();
        fleet.connectAll(rig.simGroup, gateway).forEach(f -> f.syncUninterruptibly());
        letPollsRun();
        letPollsRun();

        clock.set(at(LocalDateTime.of(2026, 12, 3, 1, 0)));
        awaitSettlement(onThe3rd, YearMonth.of(2026, 12));
        clock.set(at(LocalDateTime.of(2027, 1, 1, 0, 20)));
        for (SimulatedCjt188Meter m : meters) if (m != onThe3rd) awaitSettlement(m, YearMonth.of(2027, 1));
        letPollsRun();
        letPollsRun();

        for (SimulatedCjt188Meter m : meters) {
            String id = m.address().digits();
            List<Reading> got = settlements(id);
            List<YearMonth> months = m == onThe3rd ? List.of(YearMonth.of(2026, 11), YearMonth.of(2026, 12))
                    : List.of(YearMonth.of(2026, 11), YearMonth.of(2026, 12), YearMonth.of(2027, 1));
            assertThat(got).as("settlement readings of %s", id).hasSize(months.size());
            Map<Instant, List<Reading>> byTime = got.stream().collect(Collectors.groupingBy(Reading::time));
            for (YearMonth month : months) {
                Instant at = m.settlementInstant(month);
                assertThat(byTime.get(at)).as("%s %s", id, month).hasSize(1);
                Reading r = byTime.get(at).get(0);
                assertThat(r.volumeL()).isEqualTo(m.settlementRegisterL(month).orElseThrow());
                assertThat(r.source()).isEqualTo(ReadingSource.CJT188);
                assertThat(r.flags()).containsExactly(ReadingFlag.SETTLEMENT);
            }
            assertThat(m.settlementRegisterL(YearMonth.of(2026, 11))).contains(m.initialRegisterL());
        }
        // the meters used gas in December: the settlement registers are not all the same value
        assertThat(meters).anySatisfy(m -> assertThat(m.settlementRegisterL(YearMonth.of(2027, 1)).orElseThrow())
                .isGreaterThan(m.settlementRegisterL(YearMonth.of(2026, 12)).orElseThrow()));
        assertThat(manager.settlementReads().readings.get()).isEqualTo(11);
        assertThat(manager.settlementReads().failedReads.get()).isZero();
    }

    @Test
    void aMeterThatRefusesOrIgnoresTheSettlementReadIsRetriedReportedAndNeverCredited() throws Exception {
        HandClock clock = new HandClock(at(LocalDateTime.of(2026, 12, 1, 8, 0)));
        Cjt188Fleet fleet = Cjt188Fleet.create(3, 1, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), 23);
        SimulatedCjt188Meter refuses = fleet.meters().get(0);
        SimulatedCjt188Meter silent = fleet.meters().get(1);
        SimulatedCjt188Meter fine = fleet.meters().get(2);
        refuses.inject(MeterFault.HISTORY_ERROR, 1.0);
        silent.inject(MeterFault.HISTORY_SILENT, 1.0);
        clock.set(at(LocalDateTime.of(2026, 12, 1, 9, 0))); // the meters used gas since they started
        DtuBusManager manager = startGateway(fleet, clock, fastPoll(Duration.ofSeconds(1))); // the silent meter times out: 1 s, not 150 ms

        awaitSettlement(fine, YearMonth.of(2026, 12));
        // each failing meter: retried (retries = 2), given up, asked again after its next poll, given up again
        await("two failed settlement reads per failing meter", () -> manager.settlementReads().failedReads.get() >= 4);
        assertThat(settlements(refuses.address().digits())).isEmpty();
        assertThat(settlements(silent.address().digits())).isEmpty();
        assertThat(manager.settlementReads().failedAttempts.get()).isGreaterThanOrEqualTo(12);
        assertThat(manager.protocolCounters().meterErrors.get()).isPositive();
        assertThat(manager.protocolCounters().timeouts.get()).isPositive();
        // their regular reads go on: the meters are not degraded by a failing settlement read
        assertThat(rig.readings).anyMatch(r -> r.meterId().equals(refuses.address().digits()) && !r.has(ReadingFlag.SETTLEMENT));
        assertThat(manager.stats().degraded.get()).isZero();

        // the meters recover: the owed month is read then, once, with the register the meter stored
        refuses.clearFaults();
        silent.clearFaults();
        YearMonth december = YearMonth.of(2026, 12);
        awaitSettlement(refuses, december);
        awaitSettlement(silent, december);
        letPollsRun();
        for (SimulatedCjt188Meter m : fleet.meters()) {
            List<Reading> got = settlements(m.address().digits());
            assertThat(got).hasSize(1);
            assertThat(got.get(0).time()).isEqualTo(m.settlementInstant(december));
            // 1 December 00:00 came before the simulation started at 08:00: the initial register
            assertThat(got.get(0).volumeL()).isEqualTo(m.settlementRegisterL(december).orElseThrow())
                    .isEqualTo(m.initialRegisterL());
        }
    }
}
