package org.meterhub.gateway.mqtt;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.prepaid.BalanceReport;
import org.meterhub.engine.prepaid.BalanceSink;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.clock.ClockTrust;

/**
 * Everything that happens to one uplink after the broker delivered it: topic check, parse,
 * validation, duplicate/gap/reorder handling, then a {@link Reading} to the engine, a balance to
 * the prepaid ledger and alarm edges to the alarm sink.
 *
 * <p>Thread-safe: per-meter state is locked per meter, so several MQTT callback threads may call
 * {@link #onMessage}. A sink that blocks (the engine's bounded queue) blocks the callback thread,
 * which stops Paho reading; that is the back-pressure, and the broker queues meanwhile.
 */
public final class UplinkProcessor {
    /** statusBits of an MQTT reading: one bit per reported condition, for traceability. */
    public static final int BIT_VALVE_CLOSED = 1, BIT_VALVE_FAULT = 2, BIT_LOW_BATTERY = 4, BIT_LEAK = 8,
            BIT_TAMPER = 16, BIT_LOW_BALANCE = 32, BIT_OVERDRAFT = 64;

    private final UplinkSettings settings;
    private final UplinkParser parser;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final DurableReadingSink readings;
    private final BalanceSink balances;
    private final AlarmSink alarms;
    private final Clock clock;
    private final MqttCounters counters;
    private final RejectionLog rejectionLog;
    private final Map<String, State> meters = new ConcurrentHashMap<>();
    private final long windowNanos;
    private final int maxHeld;

    private static final class State {
        final MeterStream stream = new MeterStream();
        Set<AlarmKind> active = EnumSet.noneOf(AlarmKind.class);
    }

    public UplinkProcessor(UplinkSettings settings, ReadingSink readings, BalanceSink balances, AlarmSink alarms,
                           Clock clock, MqttCounters counters) {
        this(settings, balances, alarms, clock, counters, DurableReadingSink.of(readings));
    }

    /**
     * @param readings its futures say when a reading is durable; {@link #onMessage}'s future (the
     *                 broker acknowledgement) waits for them
     */
    public UplinkProcessor(UplinkSettings settings, BalanceSink balances, AlarmSink alarms, Clock clock,
                           MqttCounters counters, DurableReadingSink readings) {
        this.settings = settings;
        this.parser = new UplinkParser(settings);
        this.readings = readings;
        this.balances = balances;
        this.alarms = alarms;
        this.clock = clock;
        this.counters = counters;
        this.rejectionLog = new RejectionLog(clock, settings.rejectLogInterval());
        this.windowNanos = settings.reorderWindow().toNanos();
        // No window: nothing is held, a gap is counted at once, and a late message goes to the engine,
        // which places it in time order (a correction record for the intervals it splits).
        this.maxHeld = settings.reorderWindow().isZero() ? 0 : settings.maxHeldPerMeter();
    }

    public MqttCounters counters() {
        return counters;
    }

    /** The topic filter to subscribe to. */
    public String subscription() {
        return settings.topicPrefix() + "/+/up";
    }

    /**
     * Handles one message from an uplink topic. Never throws for bad input; it is counted instead.
     *
     * @return completes when the message may be acknowledged to the broker: at once for a rejection
     *         or a duplicate, else when its reading is durable in the sink (a held message: after its
     *         release); fails when the sink refused the reading, which must then not be acknowledged
     */
    public CompletableFuture<Void> onMessage(String topic, byte[] payload) {
        counters.received.incrementAndGet();
        org.meterhub.gateway.metrics.GatewayMetrics.MQTT_UPLINKS.inc();
        String topicMeter = meterOf(topic);
        if (topicMeter == null) {
            reject("(bad topic)", RejectReason.BAD_TOPIC, "topic " + abbreviate(topic));
            return DONE;
        }
        if (!settings.allowList().isEmpty() && !settings.allowList().contains(topicMeter)) {
            reject(topicMeter, RejectReason.UNKNOWN_METER, "not on the allow-list");
            return DONE;
        }
        Uplink u;
        try {
            u = parser.parse(payload);
        } catch (UplinkRejected e) {
            reject(topicMeter, e.reason(), e.getMessage());
            return DONE;
        }
        if (!u.meterId().equals(topicMeter)) {
            reject(topicMeter, RejectReason.TOPIC_MISMATCH, "body names meter " + u.meterId());
            return DONE;
        }
        State st = meters.get(topicMeter);
        if (st == null) {
            if (meters.size() >= settings.maxMeters()) {
                reject(topicMeter, RejectReason.TOO_MANY_METERS, "tracking " + settings.maxMeters() + " meters already");
                return DONE;
            }
            st = meters.computeIfAbsent(topicMeter, k -> new State());
        }
        if (u.unknownAlarms() > 0) counters.unknownAlarmNames.addAndGet(u.unknownAlarms());
        Instant receivedAt = clock.instant();
        final State state = st;
        CompletableFuture<Void> acked = new CompletableFuture<>();
        synchronized (state) {
            try {
                MeterStream.Outcome outcome = state.stream.offer(u, acked, System.nanoTime(), maxHeld,
                        (up, tag, late, reordered) -> release(state, up, tag, late, receivedAt), counters);
                if (outcome == MeterStream.Outcome.DUPLICATE) return DONE;
            } catch (RuntimeException sinkFailed) {
                // The engine refused the reading. The broker redelivers the unacknowledged message; forget
                // this meter's sequence state so the redelivery is not mistaken for a duplicate.
                meters.remove(topicMeter, state);
                throw sinkFailed;
            }
        }
        return acked;
    }

    /** Releases messages held longer than the reorder window; called periodically. */
    public void expireHeld() {
        long now = System.nanoTime();
        Instant receivedAt = clock.instant();
        for (State st : meters.values()) {
            synchronized (st) {
                if (st.stream.holding()) {
                    st.stream.expire(now, windowNanos, (up, tag, late, reordered) -> release(st, up, tag, late, receivedAt),
                            counters);
                }
            }
        }
    }

    /** Missed uplinks (seq gaps not filled) of one meter so far. */
    public long missedUplinks(String meterId) {
        State st = meters.get(meterId);
        if (st == null) return 0;
        synchronized (st) {
            return st.stream.missed();
        }
    }

    public int trackedMeters() {
        return meters.size();
    }

    @SuppressWarnings("unchecked")
    private void release(State st, Uplink u, Object tag, boolean late, Instant receivedAt) {
        Instant time = u.ts();
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        Duration ahead = Duration.between(receivedAt, time);
        // A gateway without a time it trusts (ClockTrust) cannot call a meter clock wrong: the ts stands here, and the
        // ClockGuard before the journal holds the reading until the meters agree or the gateway clock is trusted.
        boolean gatewayHasTime = !(clock instanceof ClockTrust.TimelineClock t) || t.hasTime();
        if (gatewayHasTime && ahead.compareTo(settings.maxClockSkew()) > 0 || ahead.negated().compareTo(settings.maxBackfill()) > 0) {
            // protocols.md §3: ts is when the register was measured; one from up to max-backfill ago is the meter
            // sending late, not a wrong clock. Ahead of the gateway, or older than that, the receive time is used.
            flags.add(ReadingFlag.CLOCK_SKEW);
            time = receivedAt;
            counters.clockSkewed.incrementAndGet();
        }
        if (late) flags.add(ReadingFlag.LATE);
        if (u.valve() == Valve.CLOSED) flags.add(ReadingFlag.VALVE_CLOSED);
        if (u.alarms().contains(AlarmKind.VALVE_FAULT)) flags.add(ReadingFlag.VALVE_FAULT);
        if (u.alarms().contains(AlarmKind.LOW_BATTERY)) flags.add(ReadingFlag.LOW_BATTERY);
        CompletableFuture<Void> durable = readings.append(
                new Reading(u.meterId(), time, receivedAt, u.volumeL(), ReadingSource.MQTT, flags, statusBits(u), u.ts()));
        counters.readings.incrementAndGet();
        CompletableFuture<Void> acked = (CompletableFuture<Void>) tag;
        if (durable.isDone() && !durable.isCompletedExceptionally()) {
            counters.journaled.incrementAndGet();
            if (acked != null) acked.complete(null);
        } else {
            String meter = u.meterId();
            durable.whenComplete((ok, refused) -> {
                if (refused == null) {
                    counters.journaled.incrementAndGet();
                    if (acked != null) acked.complete(null);
                    return;
                }
                counters.refused.incrementAndGet();
                // Not acknowledged: the broker delivers it again after a reconnect. Forget the meter's
                // sequence state so that the redelivery is not taken for a duplicate.
                meters.remove(meter, st);
                if (acked != null) acked.completeExceptionally(refused);
            });
        }
        BigDecimal balance = u.balanceM3() != null ? u.balanceM3() : u.balanceCny();
        if (balance != null) {
            BalanceUnit unit = u.balanceM3() != null ? BalanceUnit.M3 : BalanceUnit.CNY;
            balances.accept(new BalanceReport(u.meterId(), time, u.volumeL(), balance, unit,
                    u.alarms().contains(AlarmKind.OVERDRAFT), late));
        }
        if (!late) alarmEdges(st, u, time);
    }

    private void alarmEdges(State st, Uplink u, Instant time) {
        Set<AlarmKind> now = u.alarms();
        for (AlarmKind k : now) {
            if (!st.active.contains(k)) {
                counters.alarmsRaised.incrementAndGet();
                alarms.accept(new AlarmEvent(u.meterId(), k, true, time, "seq " + u.seq()));
            }
        }
        for (AlarmKind k : st.active) {
            if (!now.contains(k)) {
                counters.alarmsCleared.incrementAndGet();
                alarms.accept(new AlarmEvent(u.meterId(), k, false, time, "seq " + u.seq()));
            }
        }
        st.active = now.isEmpty() ? EnumSet.noneOf(AlarmKind.class) : EnumSet.copyOf(now);
    }

    private static int statusBits(Uplink u) {
        int b = 0;
        if (u.valve() == Valve.CLOSED) b |= BIT_VALVE_CLOSED;
        Set<AlarmKind> a = u.alarms();
        if (a.contains(AlarmKind.VALVE_FAULT)) b |= BIT_VALVE_FAULT;
        if (a.contains(AlarmKind.LOW_BATTERY)) b |= BIT_LOW_BATTERY;
        if (a.contains(AlarmKind.LEAK)) b |= BIT_LEAK;
        if (a.contains(AlarmKind.TAMPER)) b |= BIT_TAMPER;
        if (a.contains(AlarmKind.LOW_BALANCE)) b |= BIT_LOW_BALANCE;
        if (a.contains(AlarmKind.OVERDRAFT)) b |= BIT_OVERDRAFT;
        return b;
    }

    private void reject(String meterKey, RejectReason reason, String detail) {
        counters.reject(reason);
        org.meterhub.gateway.metrics.GatewayMetrics.rejected(reason);
        rejectionLog.rejected(meterKey, reason, detail);
    }

    /** The meter number in {@code <prefix>/<meter>/<suffix>}, or null if the topic has another shape. */
    String meterOf(String topic) {
        return meterOf(topic, settings.topicPrefix(), "/up");
    }

    static String meterOf(String topic, String prefix, String suffix) {
        int start = prefix.length() + 1;
        if (topic.length() <= start + suffix.length() || !topic.startsWith(prefix) || topic.charAt(prefix.length()) != '/'
                || !topic.endsWith(suffix)) {
            return null;
        }
        String meter = topic.substring(start, topic.length() - suffix.length());
        return UplinkParser.isMeterNumber(meter) ? meter : null;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
