package org.meterhub.app.config;

/** A user mistake in a configuration file or option: reported in one line, exit code 2. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
