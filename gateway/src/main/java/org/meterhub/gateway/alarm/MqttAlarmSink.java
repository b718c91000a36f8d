package org.meterhub.gateway.alarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.gateway.mqtt.MqttPublisher;
import org.meterhub.gateway.mqtt.MqttSendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every alarm change (raised, acknowledged, resolved) as JSON on
 * {@code <prefix>alarms/<subject>} at QoS 1, e.g. {@code alarms/30000000000001}.
 *
 * <p>The engine calls {@link #published} on its ingest thread, so this only queues: a bounded
 * queue and one sender thread. While the broker is away the sender retries the same message with
 * a doubling wait (from {@code retryMin} to {@code retryMax}); once the queue is full, further
 * changes are counted in {@link #dropped()} and not queued. Nothing is lost for good: every
 * alarm and lifecycle step is in the store (tables alarms and alarm_events) first.
 *
 * <p>The payload holds the alarm's facts and its state; no customer data (subjects are meter or
 * district ids).
 */
public final class MqttAlarmSink implements AlarmSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttAlarmSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Message(String topic, byte[] payload) {
    }

    private final MqttPublisher publisher;
    private final String prefix;
    private final BlockingQueue<Message> queue;
    private final Duration retryMin;
    private final Duration retryMax;
    private final Thread sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param topicPrefix put before {@code alarms/}; empty, or ending in {@code /}
     * @param capacity    alarm changes held while the broker is away
     */
    public MqttAlarmSink(MqttPublisher publisher, String topicPrefix, int capacity, Duration retryMin, Duration retryMax) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.prefix = Objects.requireNonNull(topicPrefix, "topicPrefix");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) throw new IllegalArgumentException("topic prefix must end in /");
        if (prefix.contains("+") || prefix.contains("#")) throw new IllegalArgumentException("no wildcards in a topic prefix");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
        if (retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("need 0 < retryMin <= retryMax");
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.retryMin = retryMin;
        this.retryMax = retryMax;
        this.sender = new Thread(this::run, "alarm-mqtt");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** 10,000 queued changes, retries from 1 s to 1 min. */
    public static MqttAlarmSink withDefaults(MqttPublisher publisher) {
        return new MqttAlarmSink(publisher, "", 10_000, Duration.ofSeconds(1), Duration.ofMinutes(1));
    }

    /** The topic an alarm about {@code subject} goes to. */
    public String topic(String subject) {
        return prefix + "alarms/" + subject.replace('/', '_').replace('+', '_').replace('#', '_');
    }

    @Override
    public void published(Alarm alarm) {
        enqueue(new Message(topic(alarm.subject()), json(alarm)));
    }

    private void enqueue(Message m) {
        if (closed || !queue.offer(m)) {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 1000 == 0) log.warn("alarm MQTT queue full or closed: {} alarm changes not published", n);
        }
    }

    /** Queues a process alarm's change (raised or resolved) on {@code <prefix>alarms/<subject>}, like a stored alarm's. */
    public void published(ProcessAlarm alarm) {
        enqueue(new Message(topic(alarm.subject()), json(alarm)));
    }

    /** Alarm changes handed to the broker. */
    public long sent() {
        return sent.get();
    }

    /** Alarm changes not queued (queue full or sink closed); they are in the store. */
    public long dropped() {
        return dropped.get();
    }

    /** Publish attempts the broker refused or could not take (each retried). */
    public long sendFailures() {
        return sendFailures.get();
    }

    /** Changes waiting for the broker. */
    public int queued() {
        return queue.size();
    }

    /** The JSON payload of an alarm change. */
    static byte[] json(Alarm a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("kind", a.kind().name());
        m.put("category", a.kind().category().name());
        m.put("subject", a.subject());
        m.put("state", a.state().name());
        m.put("detail", a.detail());
        m.put("volume_lost_l", a.volumeLostL().isPresent() ? a.volumeLostL().getAsLong() : null);
        m.put("observed_at", a.observedAt().toString()); // when the meter measured it
        m.put("raised_at", a.raisedAt().toString()); // when the utility learned: deadlines run from here
        m.put("deadline_rule", a.rule());
        m.put("acknowledge_by", time(a.acknowledgeBy()));
        m.put("resolve_by", time(a.resolveBy()));
        m.put("acknowledged_at", time(a.acknowledgedAt()));
        m.put("acknowledged_by", a.acknowledgedBy().orElse(null));
        m.put("resolved_at", time(a.resolvedAt()));
        m.put("resolved_by", a.resolvedBy().orElse(null));
        m.put("resolution", a.resolution().orElse(null));
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alarm JSON", e); // a map of strings and numbers always serialises
        }
    }

    /** The JSON of a process alarm: a stored alarm's fields, {@code id} null, {@code category} {@code PROCESS}. */
    static byte[] json(ProcessAlarm a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", null);
        m.put("kind", a.kind());
        m.put("category", "PROCESS");
        m.put("subject", a.subject());
        m.put("state", a.state());
        m.put("detail", a.detail());
        m.put("raised_at", a.raisedAt().toString());
        m.put("resolved_at", a.resolvedAt() == null ? null : a.resolvedAt().toString());
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alarm JSON", e);
        }
    }

    private static String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }

    private void run() {
        long delay = retryMin.toMillis();
        Message pending = null;
        try {
            while (!closed || pending != null || !queue.isEmpty()) {
                if (pending == null) pending = queue.poll(200, TimeUnit.MILLISECONDS);
                if (pending == null) continue;
                try {
                    publisher.publish(pending.topic(), pending.payload());
                    sent.incrementAndGet();
                    pending = null;
                    delay = retryMin.toMillis();
                } catch (MqttSendException e) {
                    sendFailures.incrementAndGet();
                    if (closed) break; // closing: what is left is in the store
                    log.debug("alarm publish failed, retrying in {} ms: {}", delay, e.getMessage());
                    Thread.sleep(delay);
                    delay = Math.min(delay * 2, retryMax.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends what is queued while the broker takes it (at most {@code maxWait}), then stops. */
    public void close(Duration maxWait) {
        closed = true;
        try {
            sender.join(Math.max(1, maxWait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) sender.interrupt();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
