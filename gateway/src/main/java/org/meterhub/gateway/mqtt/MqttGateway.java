package org.meterhub.gateway.mqtt;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.prepaid.BalanceSink;

/**
 * The MQTT side of the gateway: one persistent-session client subscribed to every meter's uplink
 * topic, feeding the {@link UplinkProcessor}; other subscriptions (the command service's acks) can
 * be added with {@link #subscribe} before {@link #start}. Owns one scheduler thread for connecting,
 * the reorder-window sweep and whatever else the caller schedules on it.
 */
public final class MqttGateway implements AutoCloseable {
    private final ScheduledExecutorService scheduler;
    private final MqttLink link;
    private final UplinkProcessor uplinks;
    private final UplinkSettings settings;

    public MqttGateway(MqttConnectionSettings connection, UplinkSettings settings, ReadingSink readings,
                       BalanceSink balances, AlarmSink alarms, Clock clock) {
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-gateway-" + connection.clientId());
            t.setDaemon(true);
            return t;
        });
        MqttCounters counters = new MqttCounters();
        this.uplinks = new UplinkProcessor(settings, readings, balances, alarms, clock, counters);
        this.link = new MqttLink(connection, scheduler, counters);
        link.subscribe(uplinks.subscription(), uplinks::onMessage);
    }

    public MqttGateway subscribe(String filter, MessageHandler handler) {
        link.subscribe(filter, handler);
        return this;
    }

    public void start() {
        long sweep = Math.max(20, settings.reorderWindow().toMillis() / 4);
        scheduler.scheduleWithFixedDelay(uplinks::expireHeld, sweep, sweep, TimeUnit.MILLISECONDS);
        link.start();
    }

    public boolean awaitConnected(long timeout, TimeUnit unit) throws InterruptedException {
        return link.awaitConnected(timeout, unit);
    }

    /** For publishing (commands) over the same session. */
    public MqttPublisher publisher() {
        return link;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public UplinkProcessor uplinks() {
        return uplinks;
    }

    public MqttCounters counters() {
        return uplinks.counters();
    }

    /** Disconnects (the broker keeps the session and queues for it), then releases what is still held. */
    @Override
    public void close() {
        link.close();
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
