package org.meterhub.gateway.driver;

/** Why a read did not produce a reading. Expected on real buses; no stack trace needed. */
public final class ReadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * {@code UNCONFIRMED}: on a noisy line no two replies agreed within the confirmation reads allowed per poll;
     * the poll is given up without retries and the meter waits for its next interval.
     */
    public enum Kind { TIMEOUT, METER_ERROR, BAD_REPLY, BUSY, CLOSED, UNCONFIRMED }

    private final Kind kind;

    public ReadFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
