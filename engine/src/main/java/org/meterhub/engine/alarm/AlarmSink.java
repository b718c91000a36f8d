package org.meterhub.engine.alarm;

/**
 * Where alarm changes are published (e.g. an MQTT topic per alarm kind, wired in the gateway).
 * Called after the change is stored, on the thread that made it; implementations must not block
 * for long and must not throw for a peer that went away (count and drop, or queue with a bound).
 */
@FunctionalInterface
public interface AlarmSink {
    void published(Alarm alarm);

    static AlarmSink none() {
        return a -> { };
    }
}
