package org.meterhub.engine.store;

/** A store operation failed in the database (the cause is the driver's {@link java.sql.SQLException}). */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
