package org.meterhub.app.forward;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.gateway.forward.BatchTransport;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.forward.MqttBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;

/**
 * A journal and the forwarder that empties it, wired from a {@code journal} section exactly as the
 * polled gateway does ({@code SingleBox} in one process, {@code ForwardingGateway} with
 * {@code forward-to}): the same claim on the target, the same transports and settings.
 */
public final class JournalForwarding implements AutoCloseable {
    private final Journal journal;
    private final Forwarder forwarder;
    private final BatchTransport transport;

    /** With forward-to: alarms for the engines' store over the same link; null with the engine in this process. */
    private final org.meterhub.gateway.forward.ForwardedAlarms alarms;

    private JournalForwarding(Journal journal, Forwarder forwarder, BatchTransport transport,
                              org.meterhub.gateway.forward.ForwardedAlarms alarms) {
        this.journal = journal;
        this.forwarder = forwarder;
        this.transport = transport;
        this.alarms = alarms;
    }

    /**
     * {@code forward-to} set: batches go over MQTT to the engines. Absent: an in-memory hand-off to
     * an ingest pipeline, whose commit to {@code store} is the acknowledgement. A pipeline whose
     * store write failed (e.g. SQLite busy) is thrown away and the batch comes again from the journal
     * to a fresh one, as in the engine intake, instead of stopping ingest until a restart.
     */
    public static JournalForwarding open(GatewayConfig.JournalSection j, MeterStore store,
                                         Supplier<IngestPipeline> pipelines) {
        return open(j, store, pipelines, org.meterhub.engine.ingest.StoreRetry.DEFAULTS,
                new org.meterhub.engine.ingest.StoreHealth(store.describe(), Clock.systemUTC()));
    }

    /** As {@link #open(GatewayConfig.JournalSection, MeterStore, Supplier)}, retrying a failed store commit as {@code retry} says. */
    public static JournalForwarding open(GatewayConfig.JournalSection j, MeterStore store, Supplier<IngestPipeline> pipelines,
                                         org.meterhub.engine.ingest.StoreRetry retry,
                                         org.meterhub.engine.ingest.StoreHealth health) {
        return open(j, null, store, pipelines, retry, health);
    }

    /** As above, with {@code tls} for an {@code mqtts://} {@code forward-to}. */
    public static JournalForwarding open(GatewayConfig.JournalSection j, org.meterhub.engine.tls.BrokerTls tls, MeterStore store,
                                         Supplier<IngestPipeline> pipelines, org.meterhub.engine.ingest.StoreRetry retry,
                                         org.meterhub.engine.ingest.StoreHealth health) {
        return j.forwardTo() != null ? toBroker(j, tls) : toStore(j, store, new BatchCommitter(pipelines, retry, health));
    }

    /** Batches go over MQTT to the engines named by {@code forward-to}. */
    public static JournalForwarding toBroker(GatewayConfig.JournalSection j) {
        return toBroker(j, null);
    }

    /** As {@link #toBroker(GatewayConfig.JournalSection)}; {@code tls} (CA, client certificate) for an {@code mqtts://} broker. */
    public static JournalForwarding toBroker(GatewayConfig.JournalSection j, org.meterhub.engine.tls.BrokerTls tls) {
        String uri = JournalWiring.brokerUri(j.forwardTo());
        if (tls != null && !uri.startsWith("ssl://")) {
            throw new org.meterhub.app.config.ConfigException("journal.forward-to: " + j.forwardTo()
                    + " is plain MQTT but mqtt.tls is set; use mqtts://");
        }
        MqttBatchTransport transport = new MqttBatchTransport(uri, j.gatewayId(), JournalWiring.topics(j),
                Duration.ofSeconds(5), tls);
        // Resent at the batches' acknowledgement timeout; a few hundred waiting at most (one per DTU and minute).
        org.meterhub.gateway.forward.ForwardedAlarms alarms = new org.meterhub.gateway.forward.ForwardedAlarms(
                j.gatewayId(), transport::send, j.ackTimeout(), 1000, Clock.systemUTC());
        transport.onAlarmAck(alarms::acknowledged);
        try {
            return start(j, j.forwardTo() + " as " + j.gatewayId(), transport, alarms);
        } catch (RuntimeException e) {
            alarms.close();
            throw e;
        }
    }

    /** Batches are handed in memory to {@code committer}, whose commit to {@code store} acknowledges them. */
    public static JournalForwarding toStore(GatewayConfig.JournalSection j, MeterStore store, BatchCommitter committer) {
        return start(j, store.describe(), new LocalBatchTransport(committer), null);
    }

    /** Opens the journal, claims it for {@code target} (never feeding two), and starts forwarding. */
    private static JournalForwarding start(GatewayConfig.JournalSection j, String target, BatchTransport transport,
                                           org.meterhub.gateway.forward.ForwardedAlarms alarms) {
        Journal journal = Journal.open(JournalWiring.journal(j), JournalListener.NONE);
        try {
            journal.claim(target);
            return new JournalForwarding(journal, new Forwarder(journal, transport, JournalWiring.forwarder(j),
                    Clock.systemUTC()).start(), transport, alarms);
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    public Journal journal() {
        return journal;
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    /**
     * Sends the gateway's status to the engines on the batches' broker ({@code {prefix}/v1/status/{gateway}});
     * false when forwarding in process (a single box writes its status to its store itself) or the broker is away.
     */
    public boolean publishStatus(org.meterhub.engine.gateways.GatewayStatus status) {
        return transport instanceof MqttBatchTransport mqtt && mqtt.publishStatus(status);
    }

    /** Whether the forwarding link is connected now (the broker's connection; an in-process link always is). */
    public boolean connected() {
        return transport.connected();
    }

    /** With forward-to: alarms for the engines' store, sent over the forwarding link until acknowledged. */
    public java.util.Optional<org.meterhub.gateway.forward.ForwardedAlarms> alarms() {
        return java.util.Optional.ofNullable(alarms);
    }

    @Override
    public void close() {
        if (alarms != null) alarms.close();
        forwarder.close();
        journal.close();
    }
}
