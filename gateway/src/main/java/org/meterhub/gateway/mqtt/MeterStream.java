package org.meterhub.gateway.mqtt;

import java.util.Map;
import java.util.TreeMap;

/**
 * The sequence-number state of one meter: duplicates, gaps and reordering.
 *
 * <p>Messages are released in {@code seq} order, which is the meter's own time order. A message
 * whose predecessors are all in is released at once (the normal case adds no delay). One that
 * arrives after a gap is held for up to the reorder window, waiting for the missing ones; when the
 * window passes, the gap is counted as missed uplinks and the held messages are released. A missing
 * message that still turns up later is handed on flagged late (the engine stores it, and its
 * consumption calculator ignores readings older than the last) and the missed count goes down again.
 *
 * <p>Duplicates are recognised for the last 64 sequence numbers, which covers broker redelivery
 * and meter retries; an older seq is treated as late. The same seq with another content digest is
 * a {@link Outcome#CONFLICT}, not a duplicate. Not thread-safe: the owner synchronises.
 */
final class MeterStream {
    private static final int WINDOW = 64;

    interface Release {
        void release(Uplink uplink, Object tag, boolean late, boolean reordered);
    }

    enum Outcome { RELEASED, HELD, DUPLICATE, CONFLICT, LATE, RESET }

    private record Held(Uplink uplink, Object tag, long sinceNanos) { }

    private boolean started;
    /** Next seq to release. */
    private long next;
    /** Highest seq seen and a bitmap of the seen ones below it (bit i = seq highest - i). */
    private long highest = -1;
    private long seenBits;
    /** Content digest of each seen seq in the window, at {@code seq mod WINDOW}. */
    private final long[] digests = new long[WINDOW];
    private final TreeMap<Long, Held> held = new TreeMap<>();
    private long missed;
    private long lastReleasedTsMillis = Long.MIN_VALUE;

    Outcome offer(Uplink u, long nowNanos, int maxHeld, Release out, MqttCounters counters) {
        return offer(u, null, nowNanos, maxHeld, out, counters);
    }

    /**
     * @param tag     handed back with the uplink when it is released (the owner's acknowledgement handle)
     * @param maxHeld 0: never hold; a gap is counted at once and a missing message that turns up later is late
     */
    Outcome offer(Uplink u, Object tag, long nowNanos, int maxHeld, Release out, MqttCounters counters) {
        if (!u.hasSeq()) {
            boolean late = u.ts().toEpochMilli() < lastReleasedTsMillis;
            emit(u, tag, late, false, out);
            return late ? Outcome.LATE : Outcome.RELEASED;
        }
        long s = u.seq();
        Outcome outcome = null;
        if (started && s < next - WINDOW && u.ts().toEpochMilli() > lastReleasedTsMillis) {
            // Far behind yet newer in time: the meter restarted its counter. Release what we hold first.
            flushAll(out, counters);
            started = false;
            highest = -1;
            seenBits = 0;
            counters.seqResets.incrementAndGet();
            outcome = Outcome.RESET;
        }
        if (!started) {
            started = true;
            next = s;
        }
        if (seen(s)) {
            // Same seq, other content: not a redelivery. The owner keeps it as a conflict, never drops it unseen.
            if (digests[(int) (s & (WINDOW - 1))] != u.digest()) return Outcome.CONFLICT;
            counters.duplicates.incrementAndGet();
            return Outcome.DUPLICATE;
        }
        markSeen(s);
        digests[(int) (s & (WINDOW - 1))] = u.digest();
        if (s == next) {
            emit(u, tag, false, false, out);
            next = s + 1;
            drainContiguous(out, counters);
            return outcome == null ? Outcome.RELEASED : outcome;
        }
        if (s > next) {
            held.put(s, new Held(u, tag, nowNanos));
            if (held.size() > maxHeld) giveUpFirstGap(out, counters);
            return outcome == null ? Outcome.HELD : outcome;
        }
        // s < next and not a duplicate: its gap was given up already, so it was counted as missed.
        // Beyond the duplicate window we cannot tell, and leave the count alone.
        if (highest - s < WINDOW && missed > 0) {
            missed--;
            counters.missedUplinks.decrementAndGet();
        }
        counters.late.incrementAndGet();
        emit(u, tag, true, false, out);
        return Outcome.LATE;
    }

    /** Releases held messages whose wait is over, counting the gaps before them as missed. */
    void expire(long nowNanos, long windowNanos, Release out, MqttCounters counters) {
        while (!held.isEmpty() && nowNanos - held.firstEntry().getValue().sinceNanos() >= windowNanos) {
            giveUpFirstGap(out, counters);
        }
    }

    boolean holding() {
        return !held.isEmpty();
    }

    long missed() {
        return missed;
    }

    private void flushAll(Release out, MqttCounters counters) {
        while (!held.isEmpty()) giveUpFirstGap(out, counters);
    }

    private void giveUpFirstGap(Release out, MqttCounters counters) {
        long first = held.firstKey();
        long gap = first - next;
        missed += gap;
        counters.missedUplinks.addAndGet(gap);
        next = first;
        drainContiguous(out, counters);
    }

    private void drainContiguous(Release out, MqttCounters counters) {
        Map.Entry<Long, Held> e;
        while ((e = held.firstEntry()) != null && e.getKey() == next) {
            held.pollFirstEntry();
            counters.reordered.incrementAndGet();
            emit(e.getValue().uplink(), e.getValue().tag(), false, true, out);
            next++;
        }
    }

    private void emit(Uplink u, Object tag, boolean late, boolean reordered, Release out) {
        if (!late) lastReleasedTsMillis = Math.max(lastReleasedTsMillis, u.ts().toEpochMilli());
        out.release(u, tag, late, reordered);
    }

    private boolean seen(long s) {
        if (highest < 0 || s > highest) return false;
        long d = highest - s;
        return d < WINDOW && (seenBits & (1L << d)) != 0;
    }

    private void markSeen(long s) {
        if (s > highest) {
            long shift = highest < 0 ? WINDOW : s - highest;
            seenBits = shift >= WINDOW ? 0 : seenBits << shift;
            seenBits |= 1;
            highest = s;
        } else {
            long d = highest - s;
            if (d < WINDOW) seenBits |= 1L << d;
        }
    }
}
