package org.meterhub.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.gateway.mqtt.AlarmEvent;
import org.meterhub.gateway.mqtt.AlarmKind;
import org.meterhub.gateway.mqtt.AlarmSink;
import org.meterhub.gateway.mqtt.MessageHandler;
import org.meterhub.gateway.mqtt.MqttPublisher;
import org.meterhub.gateway.mqtt.MqttSendException;
import org.meterhub.gateway.mqtt.UplinkParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands to meters: stored first, then published on {@code <prefix>/<meter>/down}, resent with
 * doubling intervals until acked on {@code <prefix>/<meter>/ack} or until the deadline, when the
 * command expires and an alarm is raised.
 *
 * <p>The store, not memory, is the list of open commands: each tick reads it, so a command added
 * by another process (the {@code commands send} CLI) or left open by a previous run is sent too.
 */
public final class CommandService implements MessageHandler, AutoCloseable {
    /** Meters with a command alarm raised by this process: a later successful ack clears it. */
    private final java.util.Set<String> commandAlarmed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Logger log = LoggerFactory.getLogger(CommandService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandStore store;
    private final MqttPublisher publisher;
    private final AlarmSink alarms;
    private final CommandSettings settings;
    private final Clock clock;
    private final CommandStats stats = new CommandStats();
    /** nanoTime of the first publish in this process, for round-trip latency; removed on close. */
    private final Map<String, Long> firstSentNanos = new ConcurrentHashMap<>();
    private ScheduledFuture<?> ticking;

    public CommandService(CommandStore store, MqttPublisher publisher, AlarmSink alarms, CommandSettings settings,
                          Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.alarms = alarms;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts the resend/expiry tick. */
    public void start(ScheduledExecutorService scheduler) {
        long ms = settings.tick().toMillis();
        ticking = scheduler.scheduleWithFixedDelay(this::tickSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    public CommandStats stats() {
        return stats;
    }

    public String ackSubscription() {
        return settings.topicPrefix() + "/+/ack";
    }

    /** A new command with the default deadline. */
    public MeterCommand command(String id, String meterId, CommandType type, BigDecimal amount, BalanceUnit unit) {
        Instant now = clock.instant();
        return new MeterCommand(id, meterId, type, amount, unit, now, now.plus(settings.timeout()));
    }

    /**
     * Stores the command and, if it is new, publishes it. Submitting an id again returns the stored
     * record and sends nothing (one effect per id); the same id for a different command is refused.
     */
    public CommandRecord submit(MeterCommand c) {
        CommandStore.Stored s = store.insert(c);
        if (!s.created()) {
            stats.resubmittedSameId.incrementAndGet();
            return s.record();
        }
        stats.submitted.incrementAndGet();
        send(c, false);
        return store.get(c.id()).orElseThrow();
    }

    public List<CommandRecord> list(String meterId, int limit) {
        return store.list(meterId, limit);
    }

    /** One pass over open commands: expire those past their deadline, resend those due. */
    public void tick() {
        Instant now = clock.instant();
        for (CommandRecord r : store.open()) {
            MeterCommand c = r.command();
            if (!now.isBefore(c.deadline())) {
                if (store.finish(c.id(), CommandStatus.EXPIRED, now, "no ack after " + r.attempts() + " sends")) {
                    stats.expired.incrementAndGet();
                    firstSentNanos.remove(c.id());
                    log.warn("command {} ({}) expired after {} sends (meter at DEBUG)", c.id(), c.type().wire(), r.attempts());
                    log.debug("command {} to meter {} expired", c.id(), c.meterId());
                    alarms.accept(new AlarmEvent(c.meterId(), AlarmKind.COMMAND_EXPIRED, true, now,
                            c.id() + " " + c.type().wire()));
                    commandAlarmed.add(c.meterId());
                }
                continue;
            }
            if (r.lastSentAt() == null) {
                send(c, false);
            } else if (!now.isBefore(r.lastSentAt().plus(resendDelay(r.attempts())))) {
                send(c, true);
            }
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // The scheduler would silently stop a task that throws; keep ticking, the store may come back.
            log.error("command tick failed: {}", e.getMessage());
        }
    }

    Duration resendDelay(int attempts) {
        Duration d = settings.resendAfter();
        for (int i = 1; i < attempts && d.compareTo(settings.maxResendAfter()) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(settings.maxResendAfter()) > 0 ? settings.maxResendAfter() : d;
    }

    private void send(MeterCommand c, boolean resend) {
        try {
            // Marked before the publish: a crash in between resends (the meter dedupes by id), never loses.
            store.markSent(c.id(), clock.instant());
            firstSentNanos.putIfAbsent(c.id(), System.nanoTime());
            publisher.publish(settings.topicPrefix() + "/" + c.meterId() + "/down", c.toJson().getBytes(StandardCharsets.UTF_8));
            stats.publishes.incrementAndGet();
            if (resend) stats.resends.incrementAndGet();
        } catch (MqttSendException e) {
            stats.publishFailures.incrementAndGet();
            log.debug("command {} not published now ({}); the tick resends it", c.id(), e.getMessage());
        }
    }

    /** An ack from {@code <prefix>/<meter>/ack}. Bad or unknown acks are counted, never thrown. */
    @Override
    public void onMessage(String topic, byte[] payload) {
        String meter = meterOfAck(topic);
        if (meter == null) {
            stats.badAcks.incrementAndGet();
            return;
        }
        String id;
        boolean ok;
        String error;
        try {
            JsonNode n = JSON.readTree(payload);
            if (n == null || !n.isObject() || !n.path("id").isTextual() || !n.path("ok").isBoolean()) {
                stats.badAcks.incrementAndGet();
                return;
            }
            id = n.get("id").asText();
            ok = n.get("ok").asBoolean();
            error = n.path("error").isTextual() ? n.get("error").asText() : (ok ? null : "no error text");
        } catch (IOException e) {
            stats.badAcks.incrementAndGet();
            return;
        }
        var rec = store.get(id);
        if (rec.isEmpty() || !rec.get().command().meterId().equals(meter)) {
            stats.unknownAcks.incrementAndGet();
            return;
        }
        Instant now = clock.instant();
        CommandStatus status = ok ? CommandStatus.ACKED : CommandStatus.REJECTED;
        if (!store.finish(id, status, now, ok ? null : abbreviate(error))) {
            stats.repeatedAcks.incrementAndGet();
            return;
        }
        Long sent = firstSentNanos.remove(id);
        if (sent != null) stats.roundTripMicros.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
        if (ok) {
            stats.acked.incrementAndGet();
            // The meter takes commands again: its command alarms (raised by this process) resolve themselves.
            if (commandAlarmed.remove(meter)) {
                String detail = id + " acked";
                alarms.accept(new AlarmEvent(meter, AlarmKind.COMMAND_EXPIRED, false, now, detail));
                alarms.accept(new AlarmEvent(meter, AlarmKind.COMMAND_REJECTED, false, now, detail));
            }
        } else {
            stats.rejected.incrementAndGet();
            MeterCommand c = rec.get().command();
            alarms.accept(new AlarmEvent(meter, AlarmKind.COMMAND_REJECTED, true, now,
                    c.id() + " " + c.type().wire() + ": " + abbreviate(error)));
            commandAlarmed.add(meter);
        }
    }

    private String meterOfAck(String topic) {
        String prefix = settings.topicPrefix() + "/";
        if (!topic.startsWith(prefix) || !topic.endsWith("/ack")) return null;
        int end = topic.length() - 4;
        if (end <= prefix.length()) return null;
        String m = topic.substring(prefix.length(), end);
        return UplinkParser.isMeterNumber(m) ? m : null;
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    @Override
    public void close() {
        if (ticking != null) ticking.cancel(false);
    }
}
