package org.meterhub.simulators.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The private broker keeps what the docs promise: a persistent session that is away gets every QoS 1
 * message queued for it, beyond Mosquitto's default limit of 1,000, and across a broker restart.
 * With Mosquitto's defaults the same run loses what is beyond 1,000: the deployment trap the docs name.
 */
class PrivateMosquittoTest {
    static final int MESSAGES = 1_500;

    @TempDir
    Path dir;

    @Test
    void productionSettingsKeepEveryQueuedMessageAcrossARestart() throws Exception {
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir)) {
            subscribeAndLeave(broker.uri());
            publish(broker.uri(), MESSAGES);
            broker.stop();
            assertThat(broker.running()).isFalse();
            broker.start();
            assertThat(receiveAll(broker.uri(), MESSAGES)).as("queued while away, kept across the restart").isEqualTo(MESSAGES);
        }
    }

    @Test
    void mosquittosDefaultsDropWhatIsQueuedBeyond1000() throws Exception {
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir, PrivateMosquitto.Settings.mosquittoDefaults())) {
            subscribeAndLeave(broker.uri());
            publish(broker.uri(), MESSAGES);
            assertThat(receiveAll(broker.uri(), 1000)).isEqualTo(1000);
        }
    }

    private static void subscribeAndLeave(String uri) throws Exception {
        MqttClient c = new MqttClient(uri, "away", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        c.connect(o);
        c.subscribe("q/#", 1);
        c.disconnect();
        c.close();
    }

    private static void publish(String uri, int n) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "pub", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(n);
        c.connect(o).waitForCompletion(300_000);
        IMqttDeliveryToken last = null;
        for (int i = 0; i < n; i++) last = c.publish("q/" + i, String.valueOf(i).getBytes(StandardCharsets.UTF_8), 1, false);
        // PUBACKs come in order: the last one means the broker has taken (and queued) every message
        last.waitForCompletion(300_000);
        c.disconnect().waitForCompletion(300_000);
        c.close();
    }

    /**
     * Reconnects the away session and counts distinct messages. A sentinel published after the reconnect
     * is delivered after everything queued before it, so its arrival means nothing more is coming.
     */
    private static int receiveAll(String uri, int atLeast) throws Exception {
        Set<String> got = ConcurrentHashMap.newKeySet();
        MqttClient c = new MqttClient(uri, "away", new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                got.add(topic);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setMaxInflight(1000);
        c.connect(o);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (got.size() < atLeast && System.nanoTime() < deadline) Thread.sleep(20);
        MqttClient s = new MqttClient(uri, "sentinel", new MemoryPersistence());
        s.connect();
        s.publish("q/end", new byte[] {1}, 1, false);
        s.disconnect();
        s.close();
        while (!got.contains("q/end") && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(got).as("the sentinel arrived").contains("q/end");
        c.disconnect();
        c.close();
        return got.size() - 1;
    }
}
