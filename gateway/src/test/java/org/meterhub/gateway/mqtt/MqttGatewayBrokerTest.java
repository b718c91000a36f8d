package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.meterhub.engine.prepaid.BalanceReport;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.command.CommandRecord;
import org.meterhub.gateway.command.CommandService;
import org.meterhub.gateway.command.CommandSettings;
import org.meterhub.gateway.command.CommandStatus;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.CommandType;
import org.meterhub.gateway.command.LeakValvePolicy;
import org.meterhub.gateway.command.MeterCommand;
import org.meterhub.simulators.clock.HandClock;
import org.meterhub.simulators.mqtt.IcCardFleet;
import org.meterhub.simulators.mqtt.IcCardMeter;
import org.meterhub.simulators.mqtt.IcFleetSettings;
import org.meterhub.simulators.mqtt.MqttFault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated IC-card meters and the gateway, through a real (private) Mosquitto. Nothing here depends on how
 * fast the machine is: the reorder window is far longer than any test, so a reordered message is put back in
 * order whenever it comes, and a lost one is given up because the meter's next messages fill the hold
 * ({@code maxHeldPerMeter} 1), not because time passed; command resends and deadlines run on a hand-moved
 * clock. Waits are for conditions, bounded only against a hang.
 */
class MqttGatewayBrokerTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    /** Only bounds a hang: every wait ends on its condition, on a loaded machine too. */
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    /** Longer than any test: no message is given up because the machine was slow to deliver its predecessor. */
    private static final Duration REORDER_WINDOW = Duration.ofHours(1);
    private static final Map<Integer, MqttFault> FAULTS = Map.of(0, MqttFault.DUPLICATE, 1, MqttFault.REORDER,
            2, MqttFault.MALFORMED, 3, MqttFault.SILENT, 4, MqttFault.LEAK, 5, MqttFault.VALVE_FAULT);

    @TempDir
    Path dir;
    private final String prefix = TestBroker.unique("t");
    private final String gatewayId = TestBroker.unique("gw");
    private final Queue<Reading> readings = new ConcurrentLinkedQueue<>();
    private final Queue<AlarmEvent> alarms = new ConcurrentLinkedQueue<>();
    private final Queue<BalanceReport> balances = new ConcurrentLinkedQueue<>();
    private MqttGateway gateway;
    private CommandService commands;
    private CommandStore store;
    private IcCardFleet fleet;
    /** The command service's clock: resends and deadlines happen when the test moves it. */
    private final HandClock commandClock = new HandClock(Instant.now());

    @AfterEach
    void stop() throws Exception {
        if (commands != null) commands.close();
        if (gateway != null) gateway.close();
        if (fleet != null) fleet.close();
        if (store != null) store.close();
    }

    private void start(int meters) throws Exception {
        fleet = IcCardFleet.create(meters, IcFleetSettings.defaults(BROKER.uri(), TestBroker.unique("sim"), prefix).withClients(2),
                Clock.fixed(T0, ZoneOffset.UTC), ZONE, 11, i -> FAULTS.containsKey(i) ? Set.of(FAULTS.get(i)) : Set.of());
        fleet.connect();
        UplinkSettings d = UplinkSettings.defaults().withTopicPrefix(prefix).withReorderWindow(REORDER_WINDOW)
                .withMaxClockSkew(Duration.ofDays(3650)).withMaxBackfill(Duration.ofDays(3650));
        // One message held per meter at most: the reordered 4th (held 5th) fits; behind the garbled 5th, the
        // 6th is held and the 7th gives the gap up, counted as missed.
        UplinkSettings up = new UplinkSettings(d.topicPrefix(), d.allowList(), d.maxMeters(), d.maxPayloadBytes(),
                d.reorderWindow(), 1, d.maxClockSkew(), d.maxBackfill(), d.maxVolumeL(), d.maxAbsBalance(),
                d.rejectLogInterval());
        store = new CommandStore(dir.resolve("commands.db"));
        CommandSettings cs = CommandSettings.defaults().withTopicPrefix(prefix)
                .withTiming(Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMillis(20));
        // Commands publish through the gateway's session, and the gateway's alarms feed the leak policy
        // that submits commands: the publisher is looked up when first used.
        MqttGateway[] gw = new MqttGateway[1];
        commands = new CommandService(store, (topic, payload) -> gw[0].publisher().publish(topic, payload),
                alarms::add, cs, commandClock);
        LeakValvePolicy leaks = new LeakValvePolicy(alarms::add, commands, true);
        gateway = gw[0] = new MqttGateway(MqttConnectionSettings.defaults(BROKER.uri(), gatewayId), up, readings::add,
                balances::add, leaks, Clock.systemUTC());
        gateway.subscribe(commands.ackSubscription(), commands);
        gateway.start();
        assertThat(gateway.awaitConnected(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("gateway connected to " + BROKER.uri()).isTrue();
        commands.start(gateway.scheduler());
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private List<Long> volumesOf(String meter) {
        return readings.stream().filter(r -> r.meterId().equals(meter)).map(Reading::volumeL).collect(Collectors.toList());
    }

    @Test
    void faultyMetersAreCountedAndEveryGoodReadingArrivesOnceInOrder() throws Exception {
        start(20);
        for (int h = 1; h <= 7; h++) fleet.reportAll(T0.plus(Duration.ofHours(h)));
        // 19 publishing meters x 7 reports, minus one garbled message (the 5th); the reorder meter holds its
        // 4th back until the 5th
        int expected = 19 * 7 - 1;
        // Every effect the faults must have, not a pause: once both duplicates are counted, neither can
        // still turn into a reading.
        MqttCounters c = gateway.counters();
        await("readings", () -> readings.size() >= expected && c.missedUplinks.get() >= 1 && c.duplicates.get() >= 2
                && c.rejected(RejectReason.BAD_JSON) >= 1);
        assertThat(readings).hasSize(expected);
        assertThat(readings).allSatisfy(r -> assertThat(r.source()).isEqualTo(ReadingSource.MQTT));
        assertThat(c.duplicates.get()).isEqualTo(2);
        assertThat(c.rejected(RejectReason.BAD_JSON)).isEqualTo(1);
        String garbled = fleet.meters().get(2).id();
        assertThat(gateway.uplinks().missedUplinks(garbled)).isEqualTo(1);
        String reordered = fleet.meters().get(1).id();
        assertThat(gateway.uplinks().missedUplinks(reordered)).isZero();
        for (int i : new int[] {0, 1, 7, 19}) {
            IcCardMeter m = fleet.meters().get(i);
            List<Long> v = volumesOf(m.id());
            assertThat(v).as("meter %d readings in order", i).isSorted().hasSize(7);
            assertThat(v.get(6)).isEqualTo(m.registerL());
        }
        assertThat(volumesOf(fleet.meters().get(3).id())).isEmpty();
        assertThat(balances).anySatisfy(b -> assertThat(b.unit()).isEqualTo(BalanceUnit.M3));
    }

    @Test
    void commandsReachTheMetersAndTheirAcksCloseThem() throws Exception {
        start(20);
        IcCardMeter credited = fleet.meters().get(10);
        IcCardMeter closed = fleet.meters().get(11);
        IcCardMeter silent = fleet.meters().get(3);
        long before = credited.balanceL();
        commands.submit(commands.command("credit-1", credited.id(), CommandType.CREDIT, new BigDecimal("20"), BalanceUnit.M3));
        commands.submit(commands.command("close-1", closed.id(), CommandType.VALVE_CLOSE, null, null));
        Instant now = commandClock.instant();
        commands.submit(new MeterCommand("lost-1", silent.id(), CommandType.VALVE_CLOSE, null, null, now, now.plusMillis(1500)));
        await("acks", () -> statusOf("credit-1") == CommandStatus.ACKED && statusOf("close-1") == CommandStatus.ACKED);
        assertThat(credited.balanceL()).isEqualTo(before + 20_000);
        assertThat(closed.valveOpen()).isFalse();
        // A second submission of the same id is one effect: no second credit. The next command to the
        // meter travels the same way behind it, so once that one is acked a second credit would show.
        commands.submit(commands.command("credit-1", credited.id(), CommandType.CREDIT, new BigDecimal("20"), BalanceUnit.M3));
        commands.submit(commands.command("credit-2", credited.id(), CommandType.CREDIT, new BigDecimal("5"), BalanceUnit.M3));
        await("the next command's ack", () -> statusOf("credit-2") == CommandStatus.ACKED);
        assertThat(credited.balanceL()).isEqualTo(before + 25_000);

        long closedRegister = closed.registerL();
        for (int h = 1; h <= 3; h++) fleet.reportAll(T0.plus(Duration.ofHours(h)));
        assertThat(closed.registerL()).isEqualTo(closedRegister);
        assertThat(credited.registerL()).isGreaterThan(0);

        // The silent meter never acks: its command is resent once the resend delay has passed, then expires at its
        // deadline, each when the command clock says so (not when the machine gets round to a tick in time).
        commandClock.advance(Duration.ofMillis(300));
        await("the first resend", () -> store.get("lost-1").orElseThrow().attempts() == 2);
        commandClock.advance(Duration.ofMillis(1200)); // the deadline, before the second resend (due 600 ms after the first)
        await("expiry", () -> statusOf("lost-1") == CommandStatus.EXPIRED);
        CommandRecord lost = store.get("lost-1").orElseThrow();
        assertThat(lost.attempts()).isEqualTo(2);
        assertThat(alarms).anySatisfy(a -> {
            assertThat(a.kind()).isEqualTo(AlarmKind.COMMAND_EXPIRED);
            assertThat(a.meterId()).isEqualTo(silent.id());
        });
    }

    @Test
    void aMeterLeakAlarmClosesItsValveThroughTheLeakPolicy() throws Exception {
        start(6);
        IcCardMeter leaking = fleet.meters().get(4);
        fleet.reportAll(T0.plus(Duration.ofHours(1)));
        await("leak valve_close acked", () -> store.list(leaking.id(), 5).stream()
                .anyMatch(r -> r.command().type() == CommandType.VALVE_CLOSE && r.status() == CommandStatus.ACKED));
        assertThat(leaking.valveOpen()).isFalse();
        assertThat(alarms).anySatisfy(a -> {
            assertThat(a.kind()).isEqualTo(AlarmKind.LEAK);
            assertThat(a.raised()).isTrue();
        });
        // The faulty valve cannot close: the meter says no, and that is an alarm too.
        IcCardMeter faulty = fleet.meters().get(5);
        commands.submit(commands.command("close-faulty", faulty.id(), CommandType.VALVE_CLOSE, null, null));
        await("rejection", () -> statusOf("close-faulty") == CommandStatus.REJECTED);
        // the status is stored before the alarm goes out: wait for the alarm rather than race it
        await("rejection alarm", () -> alarms.stream().anyMatch(a -> a.kind() == AlarmKind.COMMAND_REJECTED));
        assertThat(alarms).filteredOn(a -> a.kind() == AlarmKind.COMMAND_REJECTED)
                .singleElement().satisfies(a -> assertThat(a.meterId()).isEqualTo(faulty.id()));
    }

    private CommandStatus statusOf(String id) {
        return store.get(id).map(CommandRecord::status).orElse(null);
    }
}
