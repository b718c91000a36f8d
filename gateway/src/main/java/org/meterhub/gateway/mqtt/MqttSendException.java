package org.meterhub.gateway.mqtt;

/** A publish could not be handed to the broker (not connected, too many in flight). Retryable. */
public final class MqttSendException extends Exception {
    private static final long serialVersionUID = 1L;

    public MqttSendException(String message, Throwable cause) {
        super(message, cause);
    }
}
