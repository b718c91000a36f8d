package org.meterhub.engine.gateways;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.intake.MqttLink;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine end of the gateways' status reports: subscribes to every gateway's status topic on its own
 * MQTT connection and writes each report to {@link JdbcGatewayStatus}. Every engine of a head-end may run
 * one; the table keeps the latest report whoever wrote it. A report is worth nothing once the next one
 * is there, so a full queue, a bad message or a store that is down costs that report only (counted).
 */
public final class GatewayStatusIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayStatusIntake.class);

    private final JdbcGatewayStatus table;
    private final GatewayStatusCodec codec = new GatewayStatusCodec();
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(256);
    private final MqttLink link;
    private final Thread worker;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running = true;

    public GatewayStatusIntake(String brokerUri, String clientId, Topics topics, JdbcGatewayStatus table) {
        this.table = table;
        this.link = new MqttLink(brokerUri, clientId, Duration.ofSeconds(5), (topic, payload) -> {
            if (!queue.offer(payload)) dropped.incrementAndGet();
        });
        link.subscribe(topics.statusOfAll());
        this.worker = new Thread(this::run, "gateway-status-intake");
        this.worker.setDaemon(true);
    }

    public GatewayStatusIntake start() {
        link.start();
        worker.start();
        return this;
    }

    /** Reports written to the store. */
    public long stored() {
        return stored.get();
    }

    /** Messages that were not a status (each logged at DEBUG with its reason). */
    public long refused() {
        return refused.get();
    }

    private void run() {
        try {
            while (running) {
                byte[] payload = queue.poll(100, TimeUnit.MILLISECONDS);
                if (payload == null) continue;
                try {
                    table.save(codec.decode(payload));
                    stored.incrementAndGet();
                } catch (IllegalArgumentException e) {
                    refused.incrementAndGet();
                    log.debug("refused a gateway status: {}", e.getMessage());
                } catch (StoreException e) {
                    dropped.incrementAndGet();
                    log.debug("gateway status not stored: {}", e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
    }
}
