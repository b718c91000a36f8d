package org.meterhub.gateway.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;
import org.meterhub.gateway.mqtt.MqttConnectionSettings;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.MqttLink;
import org.meterhub.gateway.mqtt.MqttSendException;
import org.meterhub.gateway.mqtt.TestBroker;

/** Alarm changes on a real (private) Mosquitto, and a broker that is away. */
class MqttAlarmSinkTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METER = "30000000000001";

    record Received(String topic, JsonNode body, int qos) {
    }

    @Test
    void everyLifecycleStepIsPublishedAsJsonOnTheSubjectsTopicAtQos1() throws Exception {
        String prefix = TestBroker.unique("alarms") + "/";
        String clientId = TestBroker.unique("alarm-sink");
        List<Received> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = new MqttClient(BROKER.uri(), TestBroker.unique("alarm-sub"), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        subscriber.connect(o);
        subscriber.subscribe(prefix + "alarms/#", 1, (topic, message) ->
                received.add(new Received(topic, JSON.readTree(message.getPayload()), message.getQos())));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        MqttLink link = new MqttLink(MqttConnectionSettings.defaults(BROKER.uri(), clientId), scheduler, new MqttCounters());
        try (MqttAlarmSink sink = new MqttAlarmSink(link, prefix, 100, Duration.ofMillis(50), Duration.ofSeconds(1))) {
            link.start();
            assertThat(link.awaitConnected(5, TimeUnit.MINUTES)).isTrue();
            Instant learned = Instant.parse("2026-11-24T18:05:00Z");
            AlarmService alarms = new AlarmService(new InMemoryAlarmRepository(), AlarmDeadlines.defaults(), sink,
                    Clock.fixed(learned, java.time.ZoneOffset.UTC));
            Instant at = Instant.parse("2026-11-24T18:00:00Z");
            Alarm a = alarms.raise(AlarmKind.NIGHT_FLOW, METER, "NIGHT_FLOW since 2026-11-24T18:00:00Z: 30 L/h on G1.6",
                    OptionalLong.of(90), at);
            alarms.acknowledge(a.id(), "crew-3");
            alarms.resolve(a.id(), "crew-3", "loose union tightened");
            alarms.raise(AlarmKind.NETWORK_IMBALANCE, "district:D7", "3 days beyond uncertainty", OptionalLong.of(1_234_000), at);

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (received.size() < 4 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(received).hasSize(4);
            assertThat(sink.sent()).isEqualTo(4);
            assertThat(sink.dropped()).isZero();

            List<Received> meter = received.stream().filter(r -> r.topic().equals(prefix + "alarms/" + METER)).toList();
            assertThat(meter).extracting(r -> r.body().get("state").asText())
                    .containsExactly("RAISED", "ACKNOWLEDGED", "RESOLVED");
            assertThat(meter).allSatisfy(r -> assertThat(r.qos()).isEqualTo(1));
            JsonNode raised = meter.get(0).body();
            assertThat(raised.get("id").asLong()).isEqualTo(a.id());
            assertThat(raised.get("kind").asText()).isEqualTo("NIGHT_FLOW");
            assertThat(raised.get("category").asText()).isEqualTo("LEAK");
            assertThat(raised.get("volume_lost_l").asLong()).isEqualTo(90);
            assertThat(raised.get("observed_at").asText()).isEqualTo("2026-11-24T18:00:00Z");
            assertThat(raised.get("raised_at").asText()).isEqualTo("2026-11-24T18:05:00Z");
            assertThat(raised.get("deadline_rule").asText()).isEqualTo("gas/leak");
            assertThat(raised.get("acknowledge_by").asText()).isEqualTo("2026-11-25T00:05:00Z"); // 6 h from the raise
            assertThat(raised.get("resolved_at").isNull()).isTrue();
            assertThat(meter.get(2).body().get("resolution").asText()).isEqualTo("loose union tightened");
            assertThat(received).filteredOn(r -> r.topic().equals(prefix + "alarms/district:D7")).singleElement()
                    .satisfies(r -> assertThat(r.body().get("volume_lost_l").asLong()).isEqualTo(1_234_000));
        } finally {
            link.close();
            scheduler.shutdownNow();
            subscriber.disconnect();
            subscriber.close();
        }
    }

    @Test
    void aBrokerThatIsAwayNeverBlocksTheEngineAndTheQueueStaysBounded() throws Exception {
        MqttAlarmSink sink = new MqttAlarmSink((topic, payload) -> {
            throw new MqttSendException("broker away", null);
        }, "", 3, Duration.ofMillis(20), Duration.ofMillis(80));
        AlarmService alarms = new AlarmService(new InMemoryAlarmRepository(), AlarmDeadlines.defaults(), sink,
                Clock.systemUTC());
        // published() only offers to a bounded queue: the raises return although nothing can be sent.
        for (int i = 0; i < 10; i++) {
            alarms.raise(AlarmKind.METER_FAULT, "3000000000001" + i, "LOW_BATTERY", OptionalLong.empty(), Instant.now());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (sink.sendFailures() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(sink.sendFailures()).isGreaterThanOrEqualTo(2); // retried with backoff, not given up
        assertThat(sink.sent()).isZero();
        assertThat(sink.queued()).isLessThanOrEqualTo(3);
        // Each change is either queued, being retried (one at most) or counted as dropped.
        assertThat(sink.dropped() + sink.queued()).isBetween(9L, 10L);
        sink.close(Duration.ofMillis(100));
        alarms.raise(AlarmKind.METER_FAULT, "30000000000099", "LOW_BATTERY", OptionalLong.empty(), Instant.now());
        assertThat(sink.dropped() + sink.queued()).isBetween(10L, 11L); // after close: counted, not queued
    }

    @Test
    void subjectsNeverMakeWildcardTopics() {
        MqttAlarmSink sink = new MqttAlarmSink((t, p) -> { }, "utility/", 1, Duration.ofMillis(10), Duration.ofMillis(10));
        try {
            assertThat(sink.topic("a/b+c#")).isEqualTo("utility/alarms/a_b_c_");
        } finally {
            sink.close();
        }
    }
}
