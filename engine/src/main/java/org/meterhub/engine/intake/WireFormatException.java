package org.meterhub.engine.intake;

/** A batch or acknowledgement that is not valid wire format version 1; the message says why. */
public final class WireFormatException extends Exception {
    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
