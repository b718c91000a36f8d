package org.meterhub.gateway.journal;

/** Told when the journal's fill level changes (alarm and event sinks). Called on the journal's writer thread. */
@FunctionalInterface
public interface JournalListener {
    void levelChanged(JournalLevel level, long usedBytes, long maxBytes);

    JournalListener NONE = (level, used, max) -> { };
}
