package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.meterhub.engine.prepaid.BalanceSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.simulators.mqtt.PrivateMosquitto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that is not there yet, a gateway that is away, and a broker that restarts: a private
 * mosquitto on a free port (started and stopped by the test), without persistence, so that the
 * restarted broker has forgotten the gateway's session.
 */
class MqttReconnectTest {
    @TempDir
    Path dir;
    private final Queue<Reading> readings = new ConcurrentLinkedQueue<>();
    private PrivateMosquitto broker;
    private MqttGateway gateway;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) gateway.close();
        if (broker != null) broker.close();
    }

    private MqttGateway gateway() {
        MqttConnectionSettings c = MqttConnectionSettings.defaults("tcp://127.0.0.1:" + port, "mh-reconnect-gw")
                .withReconnect(Duration.ofMillis(100), Duration.ofMillis(400));
        MqttGateway g = new MqttGateway(c, UplinkSettings.defaults().withMaxClockSkew(Duration.ofDays(3650)).withMaxBackfill(Duration.ofDays(3650)),
                readings::add, BalanceSink.NONE, AlarmSink.NONE, Clock.systemUTC());
        g.start();
        return g;
    }

    private void publish(long seq) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "mh-reconnect-pub", new MemoryPersistence());
        c.connect();
        c.publish("meters/77/up", ("{\"meter\":\"77\",\"seq\":" + seq + ",\"ts\":\"2026-11-24T0" + seq
                + ":00:00Z\",\"volume_m3\":\"" + seq + ".000\"}").getBytes(StandardCharsets.UTF_8), 1, false);
        c.disconnect();
        c.close();
    }

    /** The distinct volumes received, in the order they first came. */
    private java.util.Set<Long> volumes() {
        java.util.Set<Long> v = new java.util.LinkedHashSet<>();
        for (Reading r : readings) v.add(r.volumeL());
        return v;
    }

    private void await(String what, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; " + readings.size() + " readings; broker log:\n"
                        + (java.nio.file.Files.exists(broker.log()) ? java.nio.file.Files.readString(broker.log()) : "(none)"));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void connectsWhenTheBrokerAppearsGetsWhatWasQueuedWhileAwayAndResubscribesAfterABrokerRestart() throws Exception {
        broker = PrivateMosquitto.open(dir.resolve("broker"), PrivateMosquitto.Settings.production().withPersistence(false));
        port = broker.port();
        gateway = gateway();
        assertThat(gateway.awaitConnected(700, TimeUnit.MILLISECONDS)).as("no broker yet").isFalse();
        broker.start();
        assertThat(gateway.awaitConnected(5, TimeUnit.MINUTES)).as("connected once the broker is up").isTrue();
        publish(1);
        await("first reading", () -> volumes().contains(1000L));

        gateway.close(); // the persistent session stays on the broker and queues for it
        publish(2);
        publish(3);
        gateway = gateway();
        await("readings queued while the gateway was away", () -> volumes().size() == 3);
        // QoS 1 is at least once: a message whose PUBACK the closing gateway had not sent yet comes again
        // (downstream, the journal drops it by meter and sequence); none is lost and the order holds.
        assertThat(volumes()).containsExactly(1000L, 2000L, 3000L);
        // The queued messages come on the persistent session before this connection's own SUBACK; on a
        // loaded machine that subscribe can finish after the broker stop below and pass for the
        // re-subscribe, and reading 4 would go to a broker with no subscriber. Count from after it.
        assertThat(gateway.awaitConnected(5, TimeUnit.MINUTES)).as("subscribed on this connection").isTrue();

        long subscribedBefore = gateway.counters().subscribed.get();
        broker.stop(); // no persistence: the restarted broker has forgotten the session and subscriptions
        await("connection loss noticed", () -> gateway.counters().connectionsLost.get() >= 1);
        broker.start();
        await("reconnected and subscribed again", () -> gateway.counters().subscribed.get() > subscribedBefore);
        publish(4);
        await("reading after the broker restart", () -> volumes().contains(4000L));
        assertThat(volumes()).containsExactly(1000L, 2000L, 3000L, 4000L);
    }
}
