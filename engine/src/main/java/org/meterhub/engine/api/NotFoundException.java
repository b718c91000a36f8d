package org.meterhub.engine.api;

/** The path names something the store does not hold; the API answers 404. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
