package org.meterhub.gateway.mqtt;

/** Thrown by {@link UplinkParser} with a reason and a short message; cheap (no stack trace). */
public final class UplinkRejected extends Exception {
    private final RejectReason reason;

    public UplinkRejected(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
