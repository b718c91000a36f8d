package org.meterhub.app.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;
import org.meterhub.gateway.alarm.MqttAlarmSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/** The gateway file's {@code alarms} section, publishing to a real (private) Mosquitto. */
class GatewayAlarmsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Received(String topic, JsonNode body, int qos) {
    }

    @Test
    void alarmChangesFromTheGatewayConfigArePublishedOnTheBroker(@TempDir Path dir) throws Exception {
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir)) {
            publishesTo(broker.uri());
        }
    }

    private void publishesTo(String broker) throws Exception {
        String unique = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", """
                alarms:
                  mqtt: %s
                  topic-prefix: %s
                  client-id: gw-alarms-%s
                """.formatted(broker, unique, unique), GatewayConfig.class);
        assertThat(cfg.alarms().topicPrefix()).isEqualTo(unique + "/");

        List<Received> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = new MqttClient(broker, "sub-" + unique, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        subscriber.connect(o); // no broker: the test fails here, as it must
        subscriber.subscribe(unique + "/alarms/#", 1, (topic, m) ->
                received.add(new Received(topic, JSON.readTree(m.getPayload()), m.getQos())));
        try (AlarmPublishing publishing = AlarmPublishing.start(cfg.alarms())) {
            assertThat(publishing.sink()).isInstanceOf(MqttAlarmSink.class);
            AlarmService alarms = new AlarmService(new InMemoryAlarmRepository(), AlarmDeadlines.defaults(),
                    publishing.sink(), Clock.systemUTC());
            Alarm a = alarms.raise(AlarmKind.NETWORK_IMBALANCE, "district:D7", "90000 L lost over 3 days",
                    OptionalLong.of(90_000), Instant.parse("2026-11-06T16:00:00Z"));
            alarms.acknowledge(a.id(), "crew-3");

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (received.size() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
        } finally {
            subscriber.disconnect();
            subscriber.close();
        }
        assertThat(received).hasSize(2);
        assertThat(received).extracting(Received::topic).containsOnly(unique + "/alarms/district:D7");
        assertThat(received).extracting(r -> r.body().get("state").asText()).containsExactly("RAISED", "ACKNOWLEDGED");
        assertThat(received.get(0).body().get("volume_lost_l").asLong()).isEqualTo(90_000);
        assertThat(received.get(0).body().get("kind").asText()).isEqualTo("NETWORK_IMBALANCE");
        assertThat(received).extracting(Received::qos).containsOnly(1);
    }

    @Test
    void withoutTheSectionAlarmsStayInTheStore() {
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", "zone: Asia/Shanghai\n", GatewayConfig.class);
        assertThat(cfg.alarms().mqtt()).isNull();
        assertThat(cfg.alarms().clientId()).isEqualTo("meterhub-alarms");
        try (AlarmPublishing publishing = AlarmPublishing.start(cfg.alarms())) {
            assertThat(publishing.sink()).isNotInstanceOf(MqttAlarmSink.class);
        }
    }

    @Test
    void wrongAlarmSettingsAreNamedErrors() {
        ConfigLoader loader = new ConfigLoader();
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "alarms:\n  mqtt: mqtt://broker:1883\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mqtt").hasMessageContaining("tcp://host:port");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "alarms:\n  mqtt: tcp://b:1883\n  topic-prefix: a/#\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topic-prefix");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "alarms:\n  broker: tcp://b:1883\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("broker");
    }
}
