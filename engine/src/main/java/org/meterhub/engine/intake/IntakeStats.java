package org.meterhub.engine.intake;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of the engine intake, for status lines and tests. */
public final class IntakeStats {
    final AtomicLong batches = new AtomicLong();
    final AtomicLong readings = new AtomicLong();
    final AtomicLong acksSent = new AtomicLong();
    final AtomicLong ackFailures = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    /** Gateways' alarms stored and acknowledged. */
    final AtomicLong alarms = new AtomicLong();
    final AtomicLong notOwned = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong storeFailures = new AtomicLong();
    final AtomicLong fencedOut = new AtomicLong();
    final AtomicLong nacksSent = new AtomicLong();
    final AtomicLong readyAnnounced = new AtomicLong();
    volatile int partitionsHeld;

    /** Batches committed. */
    public long batches() { return batches.get(); }
    /** Readings committed (replays included: the store ignores those it holds). */
    public long readings() { return readings.get(); }
    public long acksSent() { return acksSent.get(); }
    /** Acks the broker would not take; the gateway resends the batch and it is acknowledged again. */
    public long ackFailures() { return ackFailures.get(); }
    /** Messages that are not valid wire format. */
    public long rejected() { return rejected.get(); }
    public long alarms() { return alarms.get(); }
    /** Batches of a partition this engine does not hold (any more). */
    public long notOwned() { return notOwned.get(); }
    /** Batches dropped because the queue was full or the store was backing off; all are resent. */
    public long dropped() { return dropped.get(); }
    public long storeFailures() { return storeFailures.get(); }
    /** Batches the store refused because another engine had taken their partition (nothing committed). */
    public long fencedOut() { return fencedOut.get(); }
    /** "Not now, send again in …" answers to batches that arrived while the store was DOWN. */
    public long nacksSent() { return nacksSent.get(); }
    /** "Engine ready for these partitions" announcements (after gaining partitions or reconnecting). */
    public long readyAnnounced() { return readyAnnounced.get(); }
    public int partitionsHeld() { return partitionsHeld; }
}
