package org.meterhub.app.forward;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.PolledBuses;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.MqttBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSink;
import org.meterhub.gateway.poll.PollSettings;

/**
 * The gateway without an engine: DTUs dial in, DTU, serial and Modbus buses are polled, every reading is committed to the
 * journal, and the forwarder sends the journal to the engines over MQTT (journal.forward-to).
 */
public final class ForwardingGateway implements AutoCloseable {
    private final Journal journal;
    private final Forwarder forwarder;
    private final PolledBuses buses;

    public ForwardingGateway(GatewayConfig config, Clock clock, PollSettings poll, int ioThreads) {
        GatewayConfig.JournalSection j = config.journal();
        this.journal = Journal.open(JournalWiring.journal(j), JournalListener.NONE);
        String broker = JournalWiring.brokerUri(j.forwardTo());
        try {
            journal.claim(j.forwardTo() + " as " + j.gatewayId());
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
        this.forwarder = new Forwarder(journal, new MqttBatchTransport(broker, j.gatewayId(), JournalWiring.topics(j),
                Duration.ofSeconds(5)), JournalWiring.forwarder(j), Clock.systemUTC()).start();
        this.buses = new PolledBuses(config, poll, new JournalSink(journal), clock, ioThreads);
    }

    public InetSocketAddress start() throws InterruptedException {
        return buses.start();
    }

    public Journal journal() {
        return journal;
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    /** DTU, serial and Modbus buses alike. */
    public PolledBuses buses() {
        return buses;
    }

    /** Stops polling and gives the engine a while to acknowledge; what it does not stays journalled. */
    public boolean finish(Duration maxWait) throws InterruptedException {
        buses.stopPolling();
        return forwarder.awaitDrained(maxWait);
    }

    @Override
    public void close() {
        buses.close();
        forwarder.close();
        journal.close();
    }
}
