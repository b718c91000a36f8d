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

    private JournalForwarding(Journal journal, Forwarder forwarder, BatchTransport transport) {
        this.journal = journal;
        this.forwarder = forwarder;
        this.transport = transport;
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
        return j.forwardTo() != null ? toBroker(j) : toStore(j, store, new BatchCommitter(pipelines, retry, health));
    }

    /** Batches go over MQTT to the engines named by {@code forward-to}. */
    public static JournalForwarding toBroker(GatewayConfig.JournalSection j) {
        return start(j, j.forwardTo() + " as " + j.gatewayId(), new MqttBatchTransport(
                JournalWiring.brokerUri(j.forwardTo()), j.gatewayId(), JournalWiring.topics(j), Duration.ofSeconds(5)));
    }

    /** Batches are handed in memory to {@code committer}, whose commit to {@code store} acknowledges them. */
    public static JournalForwarding toStore(GatewayConfig.JournalSection j, MeterStore store, BatchCommitter committer) {
        return start(j, store.describe(), new LocalBatchTransport(committer));
    }

    /** Opens the journal, claims it for {@code target} (never feeding two), and starts forwarding. */
    private static JournalForwarding start(GatewayConfig.JournalSection j, String target, BatchTransport transport) {
        Journal journal = Journal.open(JournalWiring.journal(j), JournalListener.NONE);
        try {
            journal.claim(target);
            return new JournalForwarding(journal, new Forwarder(journal, transport, JournalWiring.forwarder(j),
                    Clock.systemUTC()).start(), transport);
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

    @Override
    public void close() {
        forwarder.close();
        journal.close();
    }
}
