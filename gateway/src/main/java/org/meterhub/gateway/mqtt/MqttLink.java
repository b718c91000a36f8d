package org.meterhub.gateway.mqtt;

import org.meterhub.protocol.mqtt.NoDelaySocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Map<String, AckingHandler> subscriptions = new LinkedHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final MqttCounters counters;
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile String lastConnectFailure;
    private long nextDelayMillis;
    /** Bumped on every connection loss: an ack must only go to the connection its message came on. */
    private volatile long generation;
    /** The acknowledgement of the last message that arrived (Paho's callback thread only, reset on reconnect). */
    private volatile CompletableFuture<Void> lastAck = DONE;
    private volatile boolean redeliveryPending;
    private volatile java.util.function.BooleanSupplier readyForRedelivery = () -> true;
    /**
     * Received QoS 1 messages not yet acknowledged, at most {@code maxInflight}: when the journal falls
     * behind, the callback thread waits here, Paho stops reading and the broker queues. The broker's
     * own max_inflight_messages is not relied on (Mosquitto 2.0.11 was measured sending tens of
     * thousands of unacknowledged messages to a manually acking client).
     */
    private final java.util.concurrent.Semaphore window;

    public MqttLink(MqttConnectionSettings settings, ScheduledExecutorService scheduler, MqttCounters counters) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.counters = counters;
        this.nextDelayMillis = settings.reconnectMin().toMillis();
        this.window = new java.util.concurrent.Semaphore(settings.maxInflight());
        try {
            this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
            // Uplinks are acknowledged only once their readings are durable (the journal's commit).
            this.client.setManualAcks(true);
        } catch (MqttException e) {
            throw new IllegalArgumentException("MQTT client for " + settings.serverUri() + ": " + e.getMessage(), e);
        }
        this.options = options(settings);
        client.setCallback(new Callback());
    }

    /** Subscribes {@code handler} to {@code filter} at QoS 1; call before {@link #start()}. Acked when it returns. */
    public MqttLink subscribe(String filter, MessageHandler handler) {
        subscriptions.put(filter, (t, p) -> {
            handler.onMessage(t, p);
            return DONE;
        });
        return this;
    }

    /** Subscribes {@code handler} to {@code filter} at QoS 1; each message is acked when its future completes. */
    public MqttLink subscribe(String filter, AckingHandler handler) {
        subscriptions.put(filter, handler);
        return this;
    }

    /**
     * Asked before a refused message is fetched again (a reconnect): e.g. "the journal has room".
     * Until it says yes the link waits, the broker keeps the messages, and nothing more arrives.
     */
    public void readyForRedelivery(java.util.function.BooleanSupplier ready) {
        this.readyForRedelivery = ready;
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

    /** Why the last attempt to connect failed (for status and tests); null when none has. */
    public String lastConnectFailure() {
        return lastConnectFailure;
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
            lastConnectFailure = org.meterhub.engine.tls.BrokerTls.explain(e, settings.tls());
            log.warn("MQTT connect to {} failed ({}); retrying in {} ms", settings.serverUri(), lastConnectFailure, jittered);
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
            generation++;
            lastAck = DONE;
            counters.connectionsLost.incrementAndGet();
            log.warn("MQTT connection to {} lost: {}; reconnecting with backoff", settings.serverUri(),
                    cause == null ? "closed" : cause.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (message.getQos() > 0) window.acquireUninterruptibly();
            CompletableFuture<Void> done = DONE;
            for (Map.Entry<String, AckingHandler> e : subscriptions.entrySet()) {
                if (matches(e.getKey(), topic)) {
                    // A handler that throws makes Paho drop the connection: the message is not acked and
                    // comes again after the reconnect.
                    try {
                        done = e.getValue().onMessage(topic, message.getPayload());
                    } catch (RuntimeException | Error failed) {
                        if (message.getQos() > 0) window.release();
                        throw failed;
                    }
                    break;
                }
            }
            if (message.getQos() == 0) return;
            ackWhenDone(done, message.getId(), message.getQos());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }

    /**
     * Manual acknowledgement: the PUBACK goes out when the message's handler future and every
     * earlier message's acknowledgement are done, so acks leave in arrival order (MQTT 3.1.1 asks
     * for that) and a refused message holds back the acks after it; those come again after the
     * reconnect that {@link #refused} arranges, and are then duplicates with no further effect.
     */
    private void ackWhenDone(CompletableFuture<Void> done, int messageId, int qos) {
        long gen = generation;
        CompletableFuture<Void> before = lastAck;
        CompletableFuture<Void> mine = before.isDone() && !before.isCompletedExceptionally() ? done
                : CompletableFuture.allOf(before, done);
        lastAck = mine;
        if (mine.isDone() && !mine.isCompletedExceptionally()) {
            window.release();
            ack(gen, messageId, qos);
            return;
        }
        mine.whenComplete((ok, failed) -> {
            window.release();
            if (failed == null) ack(gen, messageId, qos);
            else refused(gen, failed);
        });
    }

    private void ack(long gen, int messageId, int qos) {
        if (gen != generation) return; // that connection is gone; the broker redelivers the message
        try {
            client.messageArrivedComplete(messageId, qos);
        } catch (MqttException e) {
            log.debug("MQTT ack of {} failed: {}", messageId, e.getMessage());
        }
    }

    /**
     * A message could not be accepted (e.g. the journal is full). The broker redelivers unacked QoS 1
     * messages of a persistent session only on a new connection, so reconnect once the caller is
     * ready again, checking each second.
     */
    private void refused(long gen, Throwable why) {
        if (gen != generation || redeliveryPending || closed) return;
        redeliveryPending = true;
        log.warn("MQTT uplink not accepted ({}); it stays with the broker and is fetched again once the gateway"
                + " can take it", why.getMessage());
        scheduler.schedule(this::redeliver, 1, TimeUnit.SECONDS);
    }

    private void redeliver() {
        if (closed) return;
        if (!readyForRedelivery.getAsBoolean()) {
            scheduler.schedule(this::redeliver, 1, TimeUnit.SECONDS);
            return;
        }
        generation++;
        lastAck = DONE;
        try {
            if (client.isConnected()) client.disconnect(1000).waitForCompletion(2000);
        } catch (MqttException e) {
            log.debug("MQTT disconnect for redelivery: {}", e.getMessage());
        }
        redeliveryPending = false;
        tryConnect();
    }

    /** MQTT topic matching for filters with {@code +} and a trailing {@code #}. */
    static boolean matches(String filter, String topic) {
        int f = 0, t = 0;
        if (filter.startsWith("$share/")) {
            // $share/<group>/<filter>: messages arrive on the topics of <filter>
            int groupEnd = filter.indexOf('/', "$share/".length());
            if (groupEnd < 0) return false;
            f = groupEnd + 1;
        }
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
        if (s.tls() && s.pemTls() != null) o.setSocketFactory(s.pemTls().socketFactory());
        else if (s.tls() && s.trustStore() != null) o.setSocketFactory(sslContext(s).getSocketFactory());
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
