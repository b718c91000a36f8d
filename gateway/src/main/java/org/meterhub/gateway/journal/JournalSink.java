package org.meterhub.gateway.journal;

import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;

/**
 * The pollers' hand-over into the journal. It never blocks the caller's event loop: a reading the
 * journal refuses (full) is counted in {@link JournalStats#refused()} and logged by the journal; a
 * polled meter keeps its register, so the next read after space frees carries the consumption.
 */
public final class JournalSink implements ReadingSink {
    private final Journal journal;

    public JournalSink(Journal journal) {
        this.journal = journal;
    }

    @Override
    public void accept(Reading reading) {
        journal.append(reading);
    }

    /** False while the journal cannot write or is full: pollers pause rather than read and discard. */
    @Override
    public boolean accepting() {
        return journal.accepting();
    }
}
