package org.meterhub.gateway.forward;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.intake.AlarmAck;
import org.meterhub.engine.intake.GatewayAlarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alarms a forwarding gateway hands to the engines for their store (a refused DTU takeover), sent
 * over the forwarding link and sent again every {@code resend} until an engine acknowledges it. They
 * are few (the caller rate-limits them per DTU) and are held in memory, at most {@code capacity}:
 * past that the oldest is dropped and counted, so an intruder dialling in a loop cannot grow the heap.
 * A gateway restarted before the acknowledgement loses the alarm from this path; its WARN log line
 * and the refusal counters stay.
 */
public final class ForwardedAlarms implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ForwardedAlarms.class);

    /** Publishes one alarm; false when it certainly did not leave (link down). */
    @FunctionalInterface
    public interface Sender {
        boolean send(GatewayAlarm alarm);
    }

    private record Pending(GatewayAlarm alarm, long lastSentNanos) { }

    private final String gatewayId;
    private final Sender sender;
    private final Duration resend;
    private final int capacity;
    private final Clock clock;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public ForwardedAlarms(String gatewayId, Sender sender, Duration resend, int capacity, Clock clock) {
        this.gatewayId = gatewayId;
        this.sender = sender;
        this.resend = resend;
        this.capacity = capacity;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "forwarded-alarms-" + gatewayId);
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, resend.toMillis() / 2);
        timer.scheduleWithFixedDelay(this::resendDue, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends an alarm toward the engines' store.
     *
     * @param kind an engine alarm kind's name, e.g. {@code TAMPER}
     */
    public void raise(String kind, String subject, String detail, Instant at) {
        GatewayAlarm a = new GatewayAlarm(gatewayId, UUID.randomUUID().toString(), kind, subject,
                detail.length() > GatewayAlarm.MAX_TEXT ? detail.substring(0, GatewayAlarm.MAX_TEXT) : detail,
                at != null ? at : clock.instant());
        synchronized (pending) {
            if (pending.size() >= capacity) {
                var oldest = pending.keySet().iterator();
                oldest.next();
                oldest.remove();
                dropped.incrementAndGet();
            }
            pending.put(a.id(), new Pending(a, System.nanoTime()));
        }
        trySend(a);
    }

    /** An engine stored the alarm: stop sending it. */
    public void acknowledged(AlarmAck ack) {
        boolean removed;
        synchronized (pending) {
            removed = pending.remove(ack.alarmId()) != null;
        }
        if (removed) acknowledged.incrementAndGet();
    }

    private void trySend(GatewayAlarm a) {
        try {
            if (sender.send(a)) sent.incrementAndGet();
        } catch (RuntimeException e) {
            log.debug("sending alarm {} failed: {}", a.id(), e.getMessage()); // sent again at the next round
        }
    }

    private void resendDue() {
        long now = System.nanoTime();
        List<GatewayAlarm> due = new ArrayList<>();
        synchronized (pending) {
            for (Map.Entry<String, Pending> e : pending.entrySet()) {
                if (now - e.getValue().lastSentNanos() >= resend.toNanos()) {
                    due.add(e.getValue().alarm());
                    e.setValue(new Pending(e.getValue().alarm(), now));
                }
            }
        }
        due.forEach(this::trySend);
    }

    /** Alarms not yet acknowledged by an engine. */
    public int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    public long sent() {
        return sent.get();
    }

    public long acknowledgedCount() {
        return acknowledged.get();
    }

    /** Dropped unacknowledged because more than {@code capacity} were waiting. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
