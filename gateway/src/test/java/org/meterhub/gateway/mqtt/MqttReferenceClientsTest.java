package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.meterhub.engine.prepaid.BalanceReport;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.gateway.command.CommandService;
import org.meterhub.gateway.command.CommandSettings;
import org.meterhub.gateway.command.CommandStatus;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.CommandType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway driven by the reference clients {@code mosquitto_pub} and {@code mosquitto_sub}, on
 * the contract's own topics ({@code meters/{meter}/up|down|ack}) with the contract's JSON. A fresh
 * random meter number and an allow-list keep other traffic on {@code meters/} out of the assertions.
 */
class MqttReferenceClientsTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    @TempDir
    Path dir;
    private final String meter = "9" + String.format("%013d", ThreadLocalRandom.current().nextLong(10_000_000_000_000L));
    private final String gatewayId = TestBroker.unique("gw-ref");
    private final Queue<Reading> readings = new ConcurrentLinkedQueue<>();
    private final Queue<AlarmEvent> alarms = new ConcurrentLinkedQueue<>();
    private final Queue<BalanceReport> balances = new ConcurrentLinkedQueue<>();
    private MqttGateway gateway;
    private CommandService commands;
    private CommandStore store;
    private Process sub;

    @AfterEach
    void stop() throws Exception {
        if (sub != null) sub.destroyForcibly();
        if (commands != null) commands.close();
        if (gateway != null) gateway.close();
        if (store != null) store.close();
    }

    private static void mosquittoPub(String topic, String message) throws Exception {
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(BROKER.port()), "-q", "1", "-t", topic, "-m", message)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("mosquitto_pub: " + out).isZero();
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void contractMessagesFromMosquittoPubAndACommandRoundTripThroughMosquittoSub() throws Exception {
        store = new CommandStore(dir.resolve("commands.db"));
        UplinkSettings up = UplinkSettings.defaults().withAllowList(Set.of(meter)).withMaxClockSkew(Duration.ofDays(3650))
                .withMaxBackfill(Duration.ofDays(3650));
        gateway = new MqttGateway(MqttConnectionSettings.defaults(BROKER.uri(), gatewayId), up, readings::add,
                balances::add, alarms::add, Clock.systemUTC());
        commands = new CommandService(store, gateway.publisher(), alarms::add, CommandSettings.defaults()
                .withTiming(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMinutes(1), Duration.ofMillis(100)),
                Clock.systemUTC());
        gateway.subscribe(commands.ackSubscription(), commands);
        gateway.start();
        assertThat(gateway.awaitConnected(5, TimeUnit.MINUTES)).isTrue();
        commands.start(gateway.scheduler());

        mosquittoPub("meters/" + meter + "/up", "{\"meter\":\"" + meter + "\",\"seq\":1842,\"ts\":\"2026-11-23T08:00:00+08:00\","
                + "\"volume_m3\":\"1234.567\",\"balance_m3\":\"12.300\",\"valve\":\"open\","
                + "\"alarms\":[\"low_balance\"],\"battery_v\":3.55}");
        mosquittoPub("meters/" + meter + "/up", "{\"meter\":\"" + meter + "\",\"seq\":1843,\"ts\":\"2026-11-23T09:00:00+08:00\","
                + "\"volume_m3\":1234.9}");
        mosquittoPub("meters/" + meter + "/up", "{\"meter\":\"" + meter + "\",\"seq\":1844,\"ts\":\"2026-11-23T10:00:00+08:00\","
                + "\"volume_m3\":\"1235.000\",\"valve\":\"closed\",\"alarms\":[\"low_battery\"],\"battery_v\":3.1}");
        await("two readings", () -> readings.size() >= 2);
        List<Reading> got = List.copyOf(readings);
        assertThat(got).extracting(Reading::volumeL).containsExactly(1_234_567L, 1_235_000L);
        assertThat(got.get(0).time()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(got.get(1).flags()).contains(ReadingFlag.VALVE_CLOSED, ReadingFlag.LOW_BATTERY);
        assertThat(gateway.counters().rejected(RejectReason.WRONG_TYPE)).isEqualTo(1);
        assertThat(alarms).extracting(a -> a.kind() + ":" + a.raised())
                .contains("LOW_BALANCE:true", "LOW_BALANCE:false", "LOW_BATTERY:true");

        // mosquitto_sub gives no sign when its subscription is in place; the gateway's resend covers a
        // first publish that came too early, which is also what a meter waking up late relies on.
        sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(BROKER.port()), "-q", "1", "-C", "1", "-W", "60",
                "-t", "meters/" + meter + "/down").redirectErrorStream(true).start();
        BufferedReader subOut = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String id = "ref-" + meter;
        commands.submit(commands.command(id, meter, CommandType.VALVE_CLOSE, null, null));
        String payload = null;
        while ((line = subOut.readLine()) != null) {
            if (line.startsWith("{")) {
                payload = line;
                break;
            }
        }
        assertThat(payload).isEqualTo("{\"id\":\"" + id + "\",\"cmd\":\"valve_close\"}");
        assertThat(store.get(id).orElseThrow().status()).isEqualTo(CommandStatus.SENT);
        assertThat(sub.waitFor(5, TimeUnit.MINUTES)).as("mosquitto_sub -C 1 exits after the message").isTrue();

        mosquittoPub("meters/" + meter + "/ack", "{\"id\":\"" + id + "\",\"ok\":true}");
        await("ack", () -> store.get(id).orElseThrow().status() == CommandStatus.ACKED);
        mosquittoPub("meters/" + meter + "/ack", "{\"id\":\"" + id + "\",\"ok\":true}");
        await("repeated ack counted", () -> commands.stats().repeatedAcks.get() == 1);
        assertThat(commands.stats().acked.get()).isEqualTo(1);
    }
}
