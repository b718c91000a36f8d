package org.meterhub.gateway.journal;

/** How full the journal is. */
public enum JournalLevel {
    OK,
    /** Above the alarm share of its bound: the engine link is behind or down; act before it is full. */
    NEARLY_FULL,
    /** At its bound: new readings are refused (never is an old one dropped) until the engine acknowledges. */
    FULL
}
