package org.meterhub.gateway.mqtt;

import org.meterhub.protocol.mqtt.NoDelaySocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
 * One Paho client with a persistent session, QoS 1 subscriptions and reconnect with backoff.
 *
 * <p>Paho's own automatic reconnect only starts after a first successful connect, so the first
 * connect is retried here, doubling the wait from {@code reconnectMin} to {@code reconnectMax}
 * with jitter. After a reconnect every subscription is made again: cheap, and it repairs a broker
 * that lost the session. Client-side persistence is in memory: the durable copy of anything the
 * gateway sends is the command store, and uplinks are acknowledged only after they were handed
 * on, so the broker redelivers whatever the gateway had not finished.
 */
public final class MqttLink implements MqttPublisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttLink.class);

    private final MqttConnectionSettings settings;
    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final Map<String, MessageHandler> subscriptions = new LinkedHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final MqttCounters counters;
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private volatile boolean closed;
    private long nextDelayMillis;

    public MqttLink(MqttConnectionSettings settings, ScheduledExecutorService scheduler, MqttCounters counters) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.counters = counters;
        this.nextDelayMillis = settings.reconnectMin().toMillis();
        try {
            this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("MQTT client for " + settings.serverUri() + ": " + e.getMessage(), e);
        }
        this.options = options(settings);
        client.setCallback(new Callback());
    }

    /** Subscribes {@code handler} to {@code filter} at QoS 1; call before {@link #start()}. */
    public MqttLink subscribe(String filter, MessageHandler handler) {
        subscriptions.put(filter, handler);
        return this;
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        scheduler.execute(this::tryConnect);
    }

    /** Waits for the first successful connect and subscribe; false on timeout. */
    public boolean awaitConnected(long timeout, TimeUnit unit) throws InterruptedException {
        return firstConnect.await(timeout, unit);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void publish(String topic, byte[] payload) throws MqttSendException {
        try {
            client.publish(topic, payload, 1, false);
        } catch (MqttException e) {
            throw new MqttSendException("publish to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    private void tryConnect() {
        if (closed) return;
        try {
            client.connect(options).waitForCompletion(options.getConnectionTimeout() * 1000L);
            // connectComplete (the callback) subscribes.
        } catch (MqttException e) {
            if (closed) return;
            long delay = nextDelayMillis;
            nextDelayMillis = Math.min(nextDelayMillis * 2, settings.reconnectMax().toMillis());
            long jittered = delay + ThreadLocalRandom.current().nextLong(delay / 4 + 1);
            log.warn("MQTT connect to {} failed ({}); retrying in {} ms", settings.serverUri(), e.getMessage(), jittered);
            scheduler.schedule(this::tryConnect, jittered, TimeUnit.MILLISECONDS);
        }
    }

    private void subscribeAll() {
        if (subscriptions.isEmpty()) {
            counters.subscribed.incrementAndGet();
            firstConnect.countDown();
            return;
        }
        String[] filters = subscriptions.keySet().toArray(String[]::new);
        int[] qos = new int[filters.length];
        java.util.Arrays.fill(qos, 1);
        try {
            client.subscribe(filters, qos).waitForCompletion(10_000);
            counters.subscribed.incrementAndGet();
            firstConnect.countDown();
            log.info("MQTT subscribed to {} on {}", String.join(", ", filters), settings.serverUri());
        } catch (MqttException e) {
            // Paho's reconnect will call connectComplete again; until then nothing arrives anyway.
            log.warn("MQTT subscribe failed: {}", e.getMessage());
        }
    }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            counters.connects.incrementAndGet();
            nextDelayMillis = settings.reconnectMin().toMillis();
            log.info("MQTT {} to {} as {}", reconnect ? "reconnected" : "connected", serverURI, settings.clientId());
            // Not on the callback thread: a blocking subscribe there would deadlock Paho.
            scheduler.execute(MqttLink.this::subscribeAll);
        }

        @Override
        public void connectionLost(Throwable cause) {
            counters.connectionsLost.incrementAndGet();
            log.warn("MQTT connection to {} lost: {}; reconnecting with backoff", settings.serverUri(),
                    cause == null ? "closed" : cause.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            for (Map.Entry<String, MessageHandler> e : subscriptions.entrySet()) {
                if (matches(e.getKey(), topic)) {
                    e.getValue().onMessage(topic, message.getPayload());
                    return;
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }

    /** MQTT topic matching for filters with {@code +} and a trailing {@code #}. */
    static boolean matches(String filter, String topic) {
        int f = 0, t = 0;
        int fn = filter.length(), tn = topic.length();
        while (f < fn) {
            char c = filter.charAt(f);
            if (c == '#') return true;
            if (c == '+') {
                while (t < tn && topic.charAt(t) != '/') t++;
                f++;
                continue;
            }
            if (t >= tn || topic.charAt(t) != c) return false;
            f++;
            t++;
        }
        return t == tn;
    }

    private static MqttConnectOptions options(MqttConnectionSettings s) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay((int) Math.min(Integer.MAX_VALUE, s.reconnectMax().toMillis()));
        o.setKeepAliveInterval((int) s.keepAlive().toSeconds());
        o.setMaxInflight(s.maxInflight());
        o.setConnectionTimeout(10);
        if (s.username() != null) o.setUserName(s.username());
        if (s.password() != null) o.setPassword(s.password().toCharArray());
        if (s.tls() && s.trustStore() != null) o.setSocketFactory(sslContext(s).getSocketFactory());
        if (!s.tls()) o.setSocketFactory(new NoDelaySocketFactory());
        return o;
    }

    private static SSLContext sslContext(MqttConnectionSettings s) {
        try (InputStream in = Files.newInputStream(s.trustStore())) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(in, s.trustStorePassword() == null ? null : s.trustStorePassword().toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("trust store " + s.trustStore() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
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
