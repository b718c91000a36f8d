package org.meterhub.app.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * {@code mqtt-gateway} (its own JVM) against a private Mosquitto: a meter's leak alarm becomes an
 * engine alarm in the store, and is resolved when the meter stops reporting it; the store's alarm
 * listing (what {@code /api/v1/alarms} serves) shows it. The gateway runs until the test has seen
 * all of that and is then stopped with SIGTERM, as a service manager stops it: no run length that a
 * slow machine could outlast.
 */
class MqttGatewayAlarmsCliTest {
    static final Duration PATIENCE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void meterAlarmsEnterTheAlarmLifecycle() throws Exception {
        String prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String store = "jdbc:sqlite:" + dir.resolve("mh.db");
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             ChildProcess gateway = ChildProcess.start(dir.resolve("gateway.log"), "mqtt-gateway",
                     "--broker", broker.uri(), "--topic-prefix", prefix, "--client-id", prefix + "-gw", "--store", store,
                     "--commands", dir.resolve("cmd.db").toString(), "--journal", dir.resolve("journal.db").toString())
                     .awaitOutput("meterhub mqtt-gateway:", PATIENCE)) {
            MqttClient meter = new MqttClient(broker.uri(), prefix + "-meter", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            meter.connect(o);
            Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            try (SqlDatabase db = SqlDatabase.open(store)) {
                JdbcAlarmRepository repo = new JdbcAlarmRepository(db);
                // The gateway may not have subscribed yet: repeat the same seq (a duplicate has no effect).
                awaitTrue(gateway, () -> {
                    publish(meter, prefix, 1, t0, "\"leak\"");
                    return !repo.bySubject("31000000000001").isEmpty();
                });
                Alarm raised = repo.bySubject("31000000000001").get(0);
                assertThat(raised.kind()).isEqualTo(AlarmKind.GAS_LEAK_SUSPECTED);
                assertThat(raised.state()).isEqualTo(AlarmState.RAISED);
                assertThat(raised.observedAt()).isEqualTo(t0); // the meter's time
                assertThat(raised.raisedAt()).isAfterOrEqualTo(t0); // received by the gateway: deadlines run from here

                publish(meter, prefix, 2, t0.plusSeconds(1), "");
                awaitTrue(gateway, () -> repo.find(raised.id()).orElseThrow().state() == AlarmState.RESOLVED);
                assertThat(repo.bySubject("31000000000001")).hasSize(1);
            } finally {
                meter.disconnect();
                meter.close();
            }
            gateway.stop(PATIENCE);
            assertThat(gateway.output()).contains("stopped; everything accepted is stored");
        }
        try (TimeSeriesStore s = StoreFactory.open(store)) {
            List<Map<String, Object>> rows = s.alarms("31000000000001", 10).orElseThrow();
            assertThat(rows).singleElement().satisfies(r -> {
                assertThat(r.get("kind")).isEqualTo("GAS_LEAK_SUSPECTED");
                assertThat(r.get("state")).isEqualTo("RESOLVED");
            });
        }
    }

    private static void publish(MqttClient c, String prefix, int seq, Instant ts, String alarms) {
        String body = "{\"meter\":\"31000000000001\",\"seq\":" + seq + ",\"ts\":\"" + ts + "\",\"volume_m3\":\"10.000\","
                + "\"balance_m3\":\"50.000\",\"valve\":\"open\",\"alarms\":[" + alarms + "]}";
        try {
            c.publish(prefix + "/31000000000001/up", body.getBytes(StandardCharsets.UTF_8), 1, false);
        } catch (Exception e) {
            throw new AssertionError("publish failed: " + e.getMessage(), e);
        }
    }

    private static void awaitTrue(ChildProcess gateway, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !gateway.alive()) {
                throw new AssertionError("condition not met within " + PATIENCE + "; gateway output:\n" + gateway.output());
            }
            Thread.sleep(200);
        }
    }
}
