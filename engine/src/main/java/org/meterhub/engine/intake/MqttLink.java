package org.meterhub.engine.intake;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Paho connection of the store-and-forward link, used by both ends. The durable copy of every
 * reading is the gateway's journal, not the broker, so the session is clean and in memory: after a
 * reconnect the link subscribes again and anything unacknowledged is simply sent again by the
 * gateway. Connecting retries with doubling waits up to {@code maxBackoff}; once connected, Paho's
 * automatic reconnect (same cap) takes over.
 *
 * <p>Incoming messages are handed to {@code onMessage} on Paho's callback thread, which must not
 * block: receivers queue them and drop (count) when their bounded queue is full.
 */
public final class MqttLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttLink.class);

    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    private final Duration maxBackoff;
    private final Thread connector;
    private final java.util.concurrent.atomic.AtomicLong connections = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;
    private volatile Runnable onConnected = () -> { };
    private volatile String lastConnectFailure;

    public MqttLink(String serverUri, String clientId, Duration maxBackoff, BiConsumer<String, byte[]> onMessage) {
        this(serverUri, clientId, null, maxBackoff, onMessage);
    }

    /** @param tls CA and client certificate for an {@code ssl://} broker; null: plain TCP, or the JVM's default trust */
    public MqttLink(String serverUri, String clientId, org.meterhub.engine.tls.BrokerTls tls, Duration maxBackoff,
                    BiConsumer<String, byte[]> onMessage) {
        this.maxBackoff = maxBackoff;
        if (tls != null && !serverUri.startsWith("ssl://")) {
            throw new IllegalArgumentException("MQTT broker " + serverUri + ": TLS settings given, but the broker URI is not"
                    + " ssl:// (mqtts://)");
        }
        try {
            client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IllegalArgumentException("MQTT broker " + serverUri + ": " + e.getMessage(), e);
        }
        options.setCleanSession(true);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay((int) Math.max(1000, maxBackoff.toMillis()));
        options.setKeepAliveInterval(10);
        options.setConnectionTimeout(5);
        options.setMaxInflight(1000);
        if (tls != null) options.setSocketFactory(tls.socketFactory());
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                log.info("MQTT {} connected to {}", clientId, serverURI);
                connections.incrementAndGet();
                for (String topic : subscriptions) subscribeQuietly(topic); // a clean session forgot them
                onConnected.run();
            }

            @Override
            public void connectionLost(Throwable cause) {
                if (!closed) log.warn("MQTT {} lost the broker ({}); reconnecting", clientId, cause.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                onMessage.accept(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        connector = new Thread(this::connectLoop, "mqtt-connect-" + clientId);
        connector.setDaemon(true);
    }

    public void start() {
        connector.start();
    }

    /** Run on Paho's callback thread after every (re)connect, once the subscriptions were sent again; must not block. */
    public MqttLink onConnected(Runnable r) {
        this.onConnected = r;
        return this;
    }

    private void connectLoop() {
        long waitMs = 250;
        while (!closed) {
            try {
                client.connect(options).waitForCompletion(10_000);
                return; // from here on Paho's automatic reconnect keeps the link up
            } catch (MqttException e) {
                lastConnectFailure = org.meterhub.engine.tls.BrokerTls.explain(e, client.getServerURI().startsWith("ssl://"));
                log.warn("MQTT {} cannot connect to {} ({}); trying again in {} ms", client.getClientId(),
                        client.getServerURI(), lastConnectFailure, waitMs);
            }
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                return;
            }
            waitMs = Math.min(waitMs * 2, maxBackoff.toMillis());
        }
    }

    public boolean connected() {
        return client.isConnected();
    }

    /** Why the last attempt to connect failed (for status and tests); null when none has. */
    public String lastConnectFailure() {
        return lastConnectFailure;
    }

    /** How many times the link has (re)connected: a change means anything published before may be lost. */
    public long connections() {
        return connections.get();
    }

    /** Subscribes now if connected, and again after every reconnect. */
    public void subscribe(String topic) {
        subscriptions.add(topic);
        if (client.isConnected()) subscribeQuietly(topic);
    }

    public void unsubscribe(String topic) {
        subscriptions.remove(topic);
        if (!client.isConnected()) return;
        try {
            client.unsubscribe(topic);
        } catch (MqttException e) {
            log.debug("unsubscribe {}: {}", topic, e.getMessage()); // the next clean session drops it anyway
        }
    }

    private void subscribeQuietly(String topic) {
        try {
            client.subscribe(topic, 1);
        } catch (MqttException e) {
            log.warn("MQTT subscribe to {} failed: {} (retried on reconnect)", topic, e.getMessage());
        }
    }

    /**
     * Publishes at QoS 1 without waiting for the broker. False when the link is down or Paho
     * refuses; callers rely on their own resend, never on this returning true.
     */
    public boolean publish(String topic, byte[] payload) {
        if (!client.isConnected()) return false;
        try {
            MqttMessage m = new MqttMessage(payload);
            m.setQos(1);
            client.publish(topic, m);
            return true;
        } catch (MqttException e) {
            log.debug("publish to {} failed: {}", topic, e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        connector.interrupt();
        try {
            if (client.isConnected()) client.disconnect(2_000).waitForCompletion(3_000);
        } catch (MqttException e) {
            log.debug("MQTT disconnect: {}", e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("MQTT close: {}", e.getMessage());
        }
    }
}
