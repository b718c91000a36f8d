package org.meterhub.gateway.mqtt;

/** Sends one message at QoS 1. Throws {@link MqttSendException} when the broker cannot take it now. */
@FunctionalInterface
public interface MqttPublisher {
    void publish(String topic, byte[] payload) throws MqttSendException;
}
