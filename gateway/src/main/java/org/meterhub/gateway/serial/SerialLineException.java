package org.meterhub.gateway.serial;

/** A serial port that cannot be opened or has gone away. */
public final class SerialLineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SerialLineException(String message) {
        super(message);
    }
}
