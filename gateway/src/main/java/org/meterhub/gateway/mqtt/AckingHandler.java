package org.meterhub.gateway.mqtt;

import java.util.concurrent.CompletableFuture;

/**
 * Receives the messages of one topic filter on a Paho callback thread and says, through the
 * returned future, when the message may be acknowledged (PUBACK) to the broker. It must return
 * quickly: Paho delivers the connection's next message only after this returns.
 */
@FunctionalInterface
public interface AckingHandler {
    CompletableFuture<Void> onMessage(String topic, byte[] payload);
}
