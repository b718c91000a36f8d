package org.meterhub.gateway.journal;

/** A reading the journal refused: it is full (or closing). Nothing older was dropped to make room. */
public final class JournalFullException extends RuntimeException {
    public JournalFullException(String message) {
        super(message);
    }
}
