package org.meterhub.gateway.forward;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of the forwarder. */
public final class ForwarderStats {
    final AtomicLong batchesSent = new AtomicLong();
    final AtomicLong resent = new AtomicLong();
    final AtomicLong acks = new AtomicLong();
    final AtomicLong readingsAcknowledged = new AtomicLong();
    final AtomicLong staleAcks = new AtomicLong();
    final AtomicLong droppedAcks = new AtomicLong();
    final AtomicLong journalFailures = new AtomicLong();
    final AtomicLong nacks = new AtomicLong();
    final AtomicLong readyAnnouncements = new AtomicLong();

    public long batchesSent() { return batchesSent.get(); }
    /** Batches sent again after a timeout or reconnect. */
    public long resent() { return resent.get(); }
    public long acks() { return acks.get(); }
    /** Journal entries removed because the engine acknowledged them. */
    public long readingsAcknowledged() { return readingsAcknowledged.get(); }
    /** Acknowledgements of batches no longer in flight (repeats after a resend); harmless. */
    public long staleAcks() { return staleAcks.get(); }
    /** Acknowledgements dropped because too many were queued; the batch is resent and acknowledged again. */
    public long droppedAcks() { return droppedAcks.get(); }
    /** "Not now" answers of the engine (store DOWN) to a batch in flight: resent when the engine's backoff ends. */
    public long nacks() { return nacks.get(); }
    /** Engines' "ready for these partitions" announcements received (each resends those partitions' batches at once). */
    public long readyAnnouncements() { return readyAnnouncements.get(); }
    /** Rounds in which the journal could not be read or written (each retried). */
    public long journalFailures() { return journalFailures.get(); }
}
