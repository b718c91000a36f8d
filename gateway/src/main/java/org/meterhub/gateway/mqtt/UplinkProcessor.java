package org.meterhub.gateway.mqtt;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
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
import org.meterhub.gateway.journal.UplinkMark;
import org.meterhub.gateway.journal.UplinkOutcome;

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
        Delivery delivery = new Delivery(acked, payload);
        synchronized (state) {
            try {
                MeterStream.Outcome outcome = state.stream.offer(u, delivery, System.nanoTime(), maxHeld,
                        (up, tag, late, reordered) -> release(state, up, tag, late, receivedAt), counters);
                if (outcome == MeterStream.Outcome.DUPLICATE) return DONE;
                if (outcome == MeterStream.Outcome.CONFLICT) return conflict(u, delivery, receivedAt);
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

    /** What the stream hands back with a released uplink: its acknowledgement and its bytes (kept if a conflict). */
    private record Delivery(CompletableFuture<Void> acked, byte[] payload) {
    }

    /**
     * The same seq with other content than the one this gateway took (in memory). With a sink that remembers
     * uplinks (the journal) it goes there and is kept in {@code uplink_conflicts}; otherwise it is counted and logged.
     */
    private CompletableFuture<Void> conflict(Uplink u, Delivery d, Instant receivedAt) {
        if (!readings.remembersUplinks()) {
            counters.seqConflicts.incrementAndGet();
            rejectionLog.conflict(u.meterId(), u.seq());
            return DONE;
        }
        CompletableFuture<Void> acked = new CompletableFuture<>();
        // With its readings: should the journal not hold the first content after all (it was refused), this one is new.
        List<Reading> rs = readingsOf(u, false, receivedAt);
        readings.appendUplink(new UplinkMark(u.meterId(), u.seq(), u.digest(), receivedAt, d.payload()), rs)
                .whenComplete((outcome, refused) -> {
                    if (refused != null) {
                        acked.completeExceptionally(refused);
                        return;
                    }
                    counted(outcome, rs.size(), u);
                    acked.complete(null);
                });
        return acked;
    }

    private void release(State st, Uplink u, Object tag, boolean late, Instant receivedAt) {
        List<Reading> rs = readingsOf(u, late, receivedAt);
        Instant time = rs.get(rs.size() - 1).time(); // the message's own reading is the newest
        Delivery d = (Delivery) tag;
        UplinkMark mark = u.hasSeq() && d != null ? new UplinkMark(u.meterId(), u.seq(), u.digest(), receivedAt, d.payload()) : null;
        CompletableFuture<UplinkOutcome> durable = readings.appendUplink(mark, rs);
        CompletableFuture<Void> acked = d == null ? null : d.acked();
        String meter = u.meterId();
        RuntimeException effectsFailed = effects(st, u, time, late);
        if (effectsFailed != null) {
            // The balance or an alarm edge could not be recorded (their store is away). Throwing here would make
            // Paho drop the session; instead the message is not acknowledged, like a refused reading: the broker
            // delivers it again once the gateway is ready, and the journal takes its reading as a duplicate while
            // the ledger and alarms see it again. The meter starts a fresh sequence state for that, keeping the
            // alarms it knew were active, so a clear that failed is sent again.
            counters.effectsFailed.incrementAndGet();
            State fresh = new State();
            fresh.active = st.active;
            meters.replace(meter, st, fresh);
        }
        if (effectsFailed == null && durable.isDone() && !durable.isCompletedExceptionally()) {
            counted(durable.join(), rs.size(), u);
            if (acked != null) acked.complete(null);
            return;
        }
        durable.whenComplete((outcome, refused) -> {
            if (refused == null) {
                counted(outcome, rs.size(), u);
                if (acked == null) return;
                if (effectsFailed == null) acked.complete(null);
                else acked.completeExceptionally(effectsFailed);
                return;
            }
            counters.refused.addAndGet(rs.size());
            // Not acknowledged: the broker delivers it again after a reconnect. Forget the meter's
            // sequence state so that the redelivery is not taken for a duplicate.
            meters.remove(meter, st);
            if (acked != null) acked.completeExceptionally(refused);
        });
    }

    /** Hands the uplink's balance to the ledger and its alarm edges on; null when both were recorded, else why not. */
    private RuntimeException effects(State st, Uplink u, Instant time, boolean late) {
        try {
            BigDecimal balance = u.balanceM3() != null ? u.balanceM3() : u.balanceCny();
            if (balance != null) {
                BalanceUnit unit = u.balanceM3() != null ? BalanceUnit.M3 : BalanceUnit.CNY;
                balances.accept(new BalanceReport(u.meterId(), time, u.volumeL(), balance, unit,
                        u.alarms().contains(AlarmKind.OVERDRAFT), late));
            }
            if (!late) alarmEdges(st, u, time);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Counts what the sink made of an uplink: its readings taken, or recognised as taken before, or a conflict. */
    private void counted(UplinkOutcome outcome, int readingCount, Uplink u) {
        switch (outcome) {
            case NEW -> {
                counters.readings.addAndGet(readingCount);
                counters.journaled.addAndGet(readingCount);
            }
            case DUPLICATE -> counters.duplicates.incrementAndGet();
            case CONFLICT -> {
                counters.seqConflicts.incrementAndGet();
                rejectionLog.conflict(u.meterId(), u.seq());
            }
        }
    }

    /**
     * The message's readings in time order: its {@code history} entries, then its own reading (protocols.md §3).
     * The message's {@code ts} decides whether the meter's clock is trusted: from up to max-backfill ago it is the
     * meter sending late; ahead of the gateway by more than max-clock-skew, or older, the clock is wrong, the
     * message's reading takes the receive time and its history entries keep their spacing before it (all flagged
     * {@code CLOCK_SKEW}), instead of all landing on one instant. History entries that cannot be placed are
     * refused one by one and counted by reason; the rest of the message stands.
     */
    private List<Reading> readingsOf(Uplink u, boolean late, Instant receivedAt) {
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        Duration ahead = Duration.between(receivedAt, u.ts());
        // A gateway without a time it trusts (ClockTrust) cannot call a meter clock wrong: the ts stands here, and the
        // ClockGuard before the journal holds the reading until the meters agree or the gateway clock is trusted.
        boolean gatewayHasTime = !(clock instanceof ClockTrust.TimelineClock t) || t.hasTime();
        boolean skewed = gatewayHasTime && ahead.compareTo(settings.maxClockSkew()) > 0
                || ahead.negated().compareTo(settings.maxBackfill()) > 0;
        if (skewed) flags.add(ReadingFlag.CLOCK_SKEW);
        if (late) flags.add(ReadingFlag.LATE);
        if (u.valve() == Valve.CLOSED) flags.add(ReadingFlag.VALVE_CLOSED);
        if (u.alarms().contains(AlarmKind.VALVE_FAULT)) flags.add(ReadingFlag.VALVE_FAULT);
        if (u.alarms().contains(AlarmKind.LOW_BATTERY)) flags.add(ReadingFlag.LOW_BATTERY);
        int bits = statusBits(u);
        long shiftMs = skewed ? receivedAt.toEpochMilli() - u.ts().toEpochMilli() : 0;
        for (UplinkRejected bad : u.badHistory()) rejectEntry(u.meterId(), bad.reason(), bad.getMessage());
        List<Reading> out = new ArrayList<>(u.history().size() + 1);
        if (!u.history().isEmpty()) {
            // The frozen values describe the past: only the facts that hold for a whole period ride along.
            EnumSet<ReadingFlag> historyFlags = EnumSet.copyOf(flags);
            historyFlags.removeAll(EnumSet.of(ReadingFlag.VALVE_CLOSED, ReadingFlag.VALVE_FAULT, ReadingFlag.LOW_BATTERY));
            List<Uplink.Frozen> sorted = new ArrayList<>(u.history());
            sorted.sort(Comparator.comparing(Uplink.Frozen::ts));
            Instant prev = null;
            long prevL = -1;
            for (Uplink.Frozen f : sorted) {
                if (f.ts().equals(prev)) {
                    if (f.volumeL() != prevL) rejectEntry(u.meterId(), RejectReason.BAD_VALUE, "two history entries at one ts");
                    continue; // the same reading twice is one reading
                }
                int c = f.ts().compareTo(u.ts());
                if (c >= 0) {
                    if (c > 0 || f.volumeL() != u.volumeL()) {
                        rejectEntry(u.meterId(), RejectReason.BAD_VALUE, "history entry not before the message's ts");
                    }
                    continue;
                }
                if (!skewed && Duration.between(f.ts(), receivedAt).compareTo(settings.maxBackfill()) > 0) {
                    rejectEntry(u.meterId(), RejectReason.TOO_OLD, "history entry older than max-backfill");
                    continue;
                }
                prev = f.ts();
                prevL = f.volumeL();
                Instant time = skewed ? f.ts().plusMillis(shiftMs) : f.ts();
                out.add(new Reading(u.meterId(), time, receivedAt, f.volumeL(), ReadingSource.MQTT, historyFlags, 0, f.ts()));
            }
            counters.historyReadings.addAndGet(out.size());
        }
        out.add(new Reading(u.meterId(), skewed ? receivedAt : u.ts(), receivedAt, u.volumeL(), ReadingSource.MQTT, flags,
                bits, u.ts()));
        if (skewed) counters.clockSkewed.addAndGet(out.size());
        return out;
    }

    private void rejectEntry(String meterKey, RejectReason reason, String detail) {
        counters.rejectEntry(reason);
        rejectionLog.rejected(meterKey, reason, detail);
    }

    private void alarmEdges(State st, Uplink u, Instant time) {
        Set<AlarmKind> now = u.alarms();
        for (AlarmKind k : now) {
            if (!st.active.contains(k)) {
                alarms.accept(new AlarmEvent(u.meterId(), k, true, time, "seq " + u.seq()));
                counters.alarmsRaised.incrementAndGet();
            }
        }
        for (AlarmKind k : st.active) {
            if (!now.contains(k)) {
                alarms.accept(new AlarmEvent(u.meterId(), k, false, time, "seq " + u.seq()));
                counters.alarmsCleared.incrementAndGet();
            }
        }
        // Only once every edge was handed on: an edge that failed is seen again on the redelivery.
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
