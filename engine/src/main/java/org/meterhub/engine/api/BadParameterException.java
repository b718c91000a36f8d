package org.meterhub.engine.api;

/** A request parameter that is missing or malformed; the API answers 400 naming it. */
public final class BadParameterException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String parameter;

    public BadParameterException(String parameter, String message) {
        super(parameter + ": " + message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
