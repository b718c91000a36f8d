package org.meterhub.gateway.journal;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of the journal, for status lines and tests. */
public final class JournalStats {
    final AtomicLong appended = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    volatile long pending;
    volatile long usedBytes;
    volatile JournalLevel level = JournalLevel.OK;
    final AtomicLong writeFailures = new AtomicLong();
    final AtomicLong reopens = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong uplinkDuplicates = new AtomicLong();
    final AtomicLong uplinkConflicts = new AtomicLong();
    /** Null while commits succeed; the time the first commit of the current outage failed. */
    volatile java.time.Instant failingSince;
    volatile String lastWriteError;
    volatile long freeBytes = -1;
    volatile boolean diskLow;

    /** Readings committed to the journal. */
    public long appended() { return appended.get(); }
    /** Readings already in the journal with the same (meter, time, source), not stored twice. */
    public long duplicates() { return duplicates.get(); }
    /** Readings refused because the journal was full. */
    public long refused() { return refused.get(); }
    /** Entries removed after the engine acknowledged them. */
    public long acknowledged() { return acknowledged.get(); }
    public long commits() { return commits.get(); }
    /** Entries not yet acknowledged by the engine. */
    public long pending() { return pending; }
    public long usedBytes() { return usedBytes; }
    public JournalLevel level() { return level; }
    /** Failed commit attempts (each retried until it succeeds). */
    public long writeFailures() { return writeFailures.get(); }
    /** Times the journal's connection was closed and opened again after a failure. */
    public long reopens() { return reopens.get(); }
    /** Readings the store refused for good, set aside in the journal's dead-letter table (this run). */
    public long deadLettered() { return deadLettered.get(); }
    /** MQTT uplinks recognised by meter + seq as taken before (also before a restart): nothing written. */
    public long uplinkDuplicates() { return uplinkDuplicates.get(); }
    /** MQTT uplinks whose seq had been taken with other content: kept in {@code uplink_conflicts}. */
    public long uplinkConflicts() { return uplinkConflicts.get(); }
    /** Whether the last commit attempt succeeded. */
    public boolean writable() { return failingSince == null; }
    /** When the current write outage began, or null. */
    public java.time.Instant failingSince() { return failingSince; }
    /** The error of the last failed commit, or null. */
    public String lastWriteError() { return lastWriteError; }
    /** Usable bytes on the journal's file system at the last check (-1 before the first). */
    public long freeBytes() { return freeBytes; }
    /** Free space is below {@code journal.min-free-disk}. */
    public boolean diskLow() { return diskLow; }
}
