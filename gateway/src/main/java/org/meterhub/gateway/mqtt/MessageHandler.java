package org.meterhub.gateway.mqtt;

/** Receives the messages of one topic filter, on a Paho callback thread. */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(String topic, byte[] payload);
}
