package org.meterhub.app.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockSettings;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.clock.SyncProbe;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.clock.HandClock;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * Issue 21: a process's own faults reach operators as alarms on the broker (the alarm topic, as meter alarms), raised
 * once and resolved once: the store DOWN past its threshold (a shorter blip raises nothing), the journal's disk low,
 * the gateway clock untrusted. Real Mosquitto of the test's own, real StoreHealth, Journal and ClockGuard.
 */
class ProcessAlarmsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Received(String topic, JsonNode body) {
        String kind() {
            return body.get("kind").asText();
        }

        String state() {
            return body.get("state").asText();
        }
    }

    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void storeJournalAndClockAlarmsAreRaisedOnceAndResolvedOnceOnTheBroker(@TempDir Path dir) throws Exception {
        String unique = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        List<Received> received = new CopyOnWriteArrayList<>();
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("mqtt"))) {
            MqttClient operator = new MqttClient(broker.uri(), "operator-" + unique, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            operator.connect(o);
            operator.subscribe(unique + "/alarms/#", 1, (topic, m) -> received.add(new Received(topic, JSON.readTree(m.getPayload()))));

            Duration threshold = Duration.ofMillis(2500);
            StoreHealth store = new StoreHealth("postgresql test", Clock.systemUTC());
            HandClock wall = new HandClock(Instant.parse("2000-01-01T00:00:00Z")); // flat RTC battery
            ClockTrust trust = new ClockTrust(ClockSettings.defaults().withoutSyncProbe(), wall, System::nanoTime,
                    () -> SyncProbe.Sync.UNKNOWN, Instant.parse("2026-10-01T00:00:00Z"));
            GatewayConfig.AlarmsSection settings = new GatewayConfig.AlarmsSection(broker.uri(), unique, "alarms-" + unique,
                    threshold);
            try (Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("journal.db"))
                         .withMinFreeBytes(Long.MAX_VALUE / 2), JournalListener.NONE); // never that much free: disk low
                 ClockGuard clock = ClockGuard.open(trust, dir.resolve("journal.db-clock"), r -> CompletableFuture.completedFuture(null));
                 AlarmPublishing publishing = AlarmPublishing.start(settings);
                 ProcessAlarms alarms = publishing.processAlarms("gateway-gw-7", List.of(
                         ProcessAlarms.storeDown(store, settings.storeDownAfter()),
                         ProcessAlarms.journalCannotWrite(journal), ProcessAlarms.journalDiskLow(journal),
                         ProcessAlarms.clockUntrusted(clock)))) {
                await(received, r -> r.kind().equals("CLOCK_UNTRUSTED") && r.state().equals("RAISED"));
                await(received, r -> r.kind().equals("JOURNAL_DISK_LOW") && r.state().equals("RAISED"));

                // A blip: DOWN and UP again well within the threshold (two checks at most see it).
                store.failed(new SQLException("Connection refused", "08001"), Duration.ofMillis(100));
                store.committed();
                // An outage past the threshold.
                Instant down = Instant.now();
                store.failed(new SQLException("Connection refused", "08001"), Duration.ofSeconds(1));
                await(received, r -> r.kind().equals("STORE_DOWN") && r.state().equals("RAISED"));
                long downFor = Duration.between(down, Instant.now()).toMillis();
                store.committed();
                await(received, r -> r.kind().equals("STORE_DOWN") && r.state().equals("RESOLVED"));

                wall.set(Instant.now()); // network time arrives
                await(received, r -> r.kind().equals("CLOCK_UNTRUSTED") && r.state().equals("RESOLVED"));

                assertThat(downFor).as("raised once the store was DOWN past the threshold").isGreaterThanOrEqualTo(threshold.toMillis());
                assertThat(received.stream().filter(r -> r.kind().equals("STORE_DOWN")).map(Received::state).toList())
                        .as("the blip raised nothing; the outage one alarm, resolved once").containsExactly("RAISED", "RESOLVED");
                assertThat(received.stream().filter(r -> r.kind().equals("CLOCK_UNTRUSTED")).map(Received::state).toList())
                        .containsExactly("RAISED", "RESOLVED");
                assertThat(received.stream().filter(r -> r.kind().equals("JOURNAL_DISK_LOW")).map(Received::state).toList())
                        .containsExactly("RAISED");
                assertThat(received).extracting(Received::topic).containsOnly(unique + "/alarms/gateway-gw-7");
                Received raised = received.stream().filter(r -> r.kind().equals("STORE_DOWN")).findFirst().orElseThrow();
                assertThat(raised.body().get("category").asText()).isEqualTo("PROCESS");
                assertThat(raised.body().get("detail").asText()).startsWith("store: DOWN since ").contains("Connection refused");
                assertThat(alarms.raised()).isEqualTo(3);
                assertThat(alarms.resolved()).isEqualTo(2);
            } finally {
                operator.disconnect();
                operator.close();
            }
        }
    }

    private static void await(List<Received> received, Predicate<Received> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (received.stream().noneMatch(what)) {
            if (System.nanoTime() > deadline) throw new AssertionError("not received within 5 min; got " + received);
            Thread.sleep(20);
        }
    }
}
