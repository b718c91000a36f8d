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
}
