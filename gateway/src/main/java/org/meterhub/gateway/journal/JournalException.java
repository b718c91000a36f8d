package org.meterhub.gateway.journal;

/** The journal's file could not be opened, written or read; the message names the file and the cause. */
public final class JournalException extends RuntimeException {
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
