package org.meterhub.gateway.mqtt;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the MQTT side of the gateway has seen, for status lines, tests and benchmarks. Every
 * message ends in exactly one of: handed on as a reading, duplicate, or rejected (by reason).
 */
public final class MqttCounters {
    /** Messages that arrived on an uplink topic. */
    public final AtomicLong received = new AtomicLong();
    /** Readings handed to the engine. */
    public final AtomicLong readings = new AtomicLong();
    /** Readings the sink reported durable (the journal committed them); only these are acknowledged. */
    public final AtomicLong journaled = new AtomicLong();
    /** Readings the sink refused (journal full): not acknowledged, delivered again by the broker. */
    public final AtomicLong refused = new AtomicLong();
    /** Same {@code seq} seen again with the same content (also after a restart, by the journal): one effect. */
    public final AtomicLong duplicates = new AtomicLong();
    /** Same {@code seq} with other content: kept as a conflict (the journal's {@code uplink_conflicts}), not stored as readings. */
    public final AtomicLong seqConflicts = new AtomicLong();
    /** Readings that came from {@code history} arrays (included in {@link #readings}). */
    public final AtomicLong historyReadings = new AtomicLong();
    /** Sequence numbers skipped over (sum over meters); lowered again when a late one turns up. */
    public final AtomicLong missedUplinks = new AtomicLong();
    /** Messages that arrived after a later one and were put back in order while held. */
    public final AtomicLong reordered = new AtomicLong();
    /** Messages that arrived after their gap had been given up: handed on flagged LATE. */
    public final AtomicLong late = new AtomicLong();
    /** A meter's seq went far backwards with a newer time: taken as a restarted counter. */
    public final AtomicLong seqResets = new AtomicLong();
    /** Readings whose meter clock was off by more than the allowed skew. */
    public final AtomicLong clockSkewed = new AtomicLong();
    public final AtomicLong unknownAlarmNames = new AtomicLong();
    public final AtomicLong alarmsRaised = new AtomicLong();
    public final AtomicLong alarmsCleared = new AtomicLong();
    /**
     * Uplinks whose balance or alarm edges could not be recorded (their store away): not acknowledged, delivered
     * again by the broker once the gateway is ready; their readings are journalled all the same.
     */
    public final AtomicLong effectsFailed = new AtomicLong();
    /** Acks received on the ack topics (valid or not). */
    public final AtomicLong acks = new AtomicLong();
    public final AtomicLong connects = new AtomicLong();
    public final AtomicLong connectionsLost = new AtomicLong();
    /** Successful (re)subscriptions, one per connect. */
    public final AtomicLong subscribed = new AtomicLong();
    private final Map<RejectReason, AtomicLong> rejected = new EnumMap<>(RejectReason.class);
    /** {@code history} entries refused on their own (the rest of their message was kept), by reason. */
    private final Map<RejectReason, AtomicLong> rejectedEntries = new EnumMap<>(RejectReason.class);

    public MqttCounters() {
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, new AtomicLong());
            rejectedEntries.put(r, new AtomicLong());
        }
    }

    public void rejectEntry(RejectReason reason) {
        rejectedEntries.get(reason).incrementAndGet();
    }

    public long rejectedEntries(RejectReason reason) {
        return rejectedEntries.get(reason).get();
    }

    public long rejectedEntriesTotal() {
        long n = 0;
        for (AtomicLong a : rejectedEntries.values()) n += a.get();
        return n;
    }

    public void reject(RejectReason reason) {
        rejected.get(reason).incrementAndGet();
    }

    public long rejected(RejectReason reason) {
        return rejected.get(reason).get();
    }

    public long rejectedTotal() {
        long n = 0;
        for (AtomicLong a : rejected.values()) n += a.get();
        return n;
    }

    /** Rejections with a non-zero count, for a status line: {@code BAD_JSON=3 WRONG_TYPE=1}. */
    public String rejectedSummary() {
        StringBuilder b = new StringBuilder();
        rejected.forEach((r, n) -> {
            if (n.get() > 0) b.append(b.length() == 0 ? "" : " ").append(r).append('=').append(n.get());
        });
        return b.length() == 0 ? "none" : b.toString();
    }

    @Override
    public String toString() {
        return "received=" + received + " readings=" + readings + " duplicates=" + duplicates + " conflicts=" + seqConflicts
                + " missed=" + missedUplinks + " reordered=" + reordered + " late=" + late
                + " rejected=" + rejectedTotal() + " (" + rejectedSummary() + ")"
                + (rejectedEntriesTotal() > 0 ? " history entries rejected=" + rejectedEntriesTotal() : "");
    }
}
