package org.meterhub.protocol.modbus;

/** A register-map profile that cannot be used; the message names the source, line and column. */
public final class ProfileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProfileException(String message) {
        super(message);
    }
}
