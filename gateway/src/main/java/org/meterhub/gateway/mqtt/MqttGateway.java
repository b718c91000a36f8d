package org.meterhub.gateway.mqtt;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.prepaid.BalanceSink;

/**
 * The MQTT side of the gateway: persistent-session clients subscribed to every meter's uplink
 * topic, feeding the {@link UplinkProcessor}; other subscriptions (the command service's acks) can
 * be added with {@link #subscribe} before {@link #start}. Owns one scheduler thread for connecting,
 * the reorder-window sweep and whatever else the caller schedules on it.
 *
 * <p>Uplinks are acknowledged to the broker only when the processor's future says the reading is
 * durable (with a journal as the sink: after the group commit covering it). With {@code clients > 1}
 * the uplinks are read over a shared subscription ({@code $share/<client-id>/<prefix>/+/up}) by that
 * many connections, so parsing runs on that many Paho threads; commands and their acks use the first.
 */
public final class MqttGateway implements AutoCloseable {
    private final ScheduledExecutorService scheduler;
    private final List<MqttLink> links = new ArrayList<>();
    private final UplinkProcessor uplinks;
    private final UplinkSettings settings;

    public MqttGateway(MqttConnectionSettings connection, UplinkSettings settings, ReadingSink readings,
                       BalanceSink balances, AlarmSink alarms, Clock clock) {
        this(connection, settings, DurableReadingSink.of(readings), balances, alarms, clock, 1);
    }

    /** @param clients connections reading uplinks (1: a plain subscription; more: a shared one) */
    public MqttGateway(MqttConnectionSettings connection, UplinkSettings settings, DurableReadingSink readings,
                       BalanceSink balances, AlarmSink alarms, Clock clock, int clients) {
        if (clients < 1 || clients > 64) throw new IllegalArgumentException("clients: expected 1..64, got " + clients);
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-gateway-" + connection.clientId());
            t.setDaemon(true);
            return t;
        });
        MqttCounters counters = new MqttCounters();
        this.uplinks = new UplinkProcessor(settings, balances, alarms, clock, counters, readings);
        String filter = clients == 1 ? uplinks.subscription()
                : "$share/" + connection.clientId().replaceAll("[+#/]", "_") + "/" + uplinks.subscription();
        for (int i = 0; i < clients; i++) {
            MqttConnectionSettings c = i == 0 ? connection : connection.withClientId(connection.clientId() + "-" + i);
            MqttLink link = new MqttLink(c, scheduler, counters);
            link.subscribe(filter, (AckingHandler) uplinks::onMessage);
            links.add(link);
        }
    }

    public MqttGateway subscribe(String filter, MessageHandler handler) {
        links.get(0).subscribe(filter, handler);
        return this;
    }

    /** See {@link MqttLink#readyForRedelivery}; e.g. "the journal is not full". */
    public MqttGateway readyForRedelivery(BooleanSupplier ready) {
        links.forEach(l -> l.readyForRedelivery(ready));
        return this;
    }

    public void start() {
        long sweep = Math.max(20, settings.reorderWindow().toMillis() / 4);
        if (!settings.reorderWindow().isZero()) {
            scheduler.scheduleWithFixedDelay(uplinks::expireHeld, sweep, sweep, TimeUnit.MILLISECONDS);
        }
        links.forEach(MqttLink::start);
    }

    public boolean awaitConnected(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (MqttLink l : links) {
            if (!l.awaitConnected(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) return false;
        }
        return true;
    }

    /** For publishing (commands) over the first session. */
    public MqttPublisher publisher() {
        return links.get(0);
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

    /** Disconnects (the broker keeps the sessions and queues for them), then releases what is still held. */
    @Override
    public void close() {
        links.forEach(MqttLink::close);
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
