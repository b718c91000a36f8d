package org.meterhub.app.alarm;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.gateway.alarm.MqttAlarmSink;
import org.meterhub.gateway.mqtt.MqttConnectionSettings;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.MqttPublisher;
import org.meterhub.gateway.mqtt.MqttLink;

/**
 * Alarm publishing as the file's {@code alarms} section says: an {@link MqttAlarmSink} on its own
 * {@link MqttLink} (connects in the background and reconnects with backoff, so a broker that is
 * down at start delays alarms on MQTT, never the gateway), or an existing connection's publisher ({@link #over}), or
 * none. Closed after the engine.
 */
public final class AlarmPublishing implements AutoCloseable {
    private final AlarmSink sink;
    private final MqttAlarmSink mqtt;
    private final MqttLink link;
    private final ScheduledExecutorService scheduler;

    private AlarmPublishing(AlarmSink sink, MqttAlarmSink mqtt, MqttLink link, ScheduledExecutorService scheduler) {
        this.sink = sink;
        this.mqtt = mqtt;
        this.link = link;
        this.scheduler = scheduler;
    }

    public static AlarmPublishing start(GatewayConfig.AlarmsSection a) {
        return start(a, null);
    }

    /** As {@link #start(GatewayConfig.AlarmsSection)}; {@code tls} (CA, client certificate) for an {@code ssl://} broker. */
    public static AlarmPublishing start(GatewayConfig.AlarmsSection a, org.meterhub.engine.tls.BrokerTls tls) {
        if (a.mqtt() != null && tls != null && !a.mqtt().startsWith("ssl://")) {
            throw new org.meterhub.app.config.ConfigException("alarms.mqtt: " + a.mqtt()
                    + " is plain MQTT but TLS settings are given; use ssl://");
        }
        if (a.mqtt() == null) return new AlarmPublishing(AlarmSink.none(), null, null, null);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alarm-mqtt-link");
            t.setDaemon(true);
            return t;
        });
        MqttLink link = new MqttLink(MqttConnectionSettings.defaults(a.mqtt(), a.clientId()).withTls(tls), scheduler, new MqttCounters());
        MqttAlarmSink mqtt = new MqttAlarmSink(link, a.topicPrefix(), 10_000, Duration.ofSeconds(1), Duration.ofMinutes(1));
        link.start();
        return new AlarmPublishing(mqtt, mqtt, link, scheduler);
    }

    /**
     * Alarm publishing over a connection the process already has (e.g. {@code mqtt-gateway}'s uplink session): no
     * second broker connection. The connection is the caller's and stays open when this is closed.
     *
     * @param topicPrefix put before {@code alarms/}; empty, or ending in {@code /}
     */
    public static AlarmPublishing over(MqttPublisher publisher, String topicPrefix) {
        MqttAlarmSink mqtt = new MqttAlarmSink(publisher, topicPrefix, 10_000, Duration.ofSeconds(1), Duration.ofMinutes(1));
        return new AlarmPublishing(mqtt, mqtt, null, null);
    }

    /** Whether alarms go to a broker at all (else they are only logged). */
    public boolean publishes() {
        return mqtt != null;
    }

    public AlarmSink sink() {
        return sink;
    }

    /**
     * Starts watching this process's own faults ({@link ProcessAlarms}): their alarms go out on the same broker and
     * topic as meter alarms ({@code <prefix>alarms/<subject>}); without an MQTT broker they are only logged.
     * Close the result before this.
     */
    public ProcessAlarms processAlarms(String subject, java.util.List<ProcessAlarms.Condition> conditions) {
        java.util.function.Consumer<org.meterhub.gateway.alarm.ProcessAlarm> out = mqtt != null ? mqtt::published : a -> { };
        return new ProcessAlarms(subject, conditions, out, java.time.Clock.systemUTC()).start();
    }

    @Override
    public void close() {
        if (mqtt == null) return;
        mqtt.close(Duration.ofSeconds(5)); // the queued changes get a few seconds; all of them are in the store anyway
        if (link == null) return; // a connection of the caller's
        link.close();
        scheduler.shutdownNow();
    }
}
