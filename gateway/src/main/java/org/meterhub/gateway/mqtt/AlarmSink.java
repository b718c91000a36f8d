package org.meterhub.gateway.mqtt;

/**
 * Where alarm events go. Deliberately tiny so that the engine's alarm lifecycle can be adapted to
 * it without the gateway depending on that lifecycle. Implementations must not block for long:
 * they are called on the MQTT callback thread.
 */
@FunctionalInterface
public interface AlarmSink {
    void accept(AlarmEvent event);

    AlarmSink NONE = e -> { };
}
