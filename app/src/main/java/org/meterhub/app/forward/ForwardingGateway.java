package org.meterhub.app.forward;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.gateway.dtu.DtuBusManager;
import org.meterhub.gateway.dtu.DtuServer;
import org.meterhub.gateway.dtu.DtuSettings;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.MqttBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSink;
import org.meterhub.gateway.poll.PollSettings;

/**
 * The gateway without an engine: DTUs dial in, buses are polled, every reading is committed to the
 * journal, and the forwarder sends the journal to the engines over MQTT (journal.forward-to).
 */
public final class ForwardingGateway implements AutoCloseable {
    private final Journal journal;
    private final Forwarder forwarder;
    private final DtuBusManager buses;
    private final DtuServer dtuServer;
    private final EventLoopGroup group;

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
        this.buses = new DtuBusManager(SingleBox.toBuses(config), poll, new JournalSink(journal), config.zone(), clock,
                config.poll().maxClockSkew());
        GatewayConfig.DtuSection d = config.dtu();
        HostPort listen = HostPort.parse(d.listen());
        DtuSettings settings = new DtuSettings(listen.host(), listen.port(), d.registrationTimeout(), d.idleTimeout(),
                d.heartbeat(), DtuSettings.DEFAULT_ID, d.maxBytesWithoutFrame(), d.preambleBytes());
        this.group = new NioEventLoopGroup(ioThreads);
        this.dtuServer = new DtuServer(settings, buses, group, clock);
        this.buses.attach(dtuServer);
    }

    public InetSocketAddress start() throws InterruptedException {
        return dtuServer.start();
    }

    public Journal journal() {
        return journal;
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    public DtuBusManager buses() {
        return buses;
    }

    public DtuServer dtuServer() {
        return dtuServer;
    }

    /** Stops polling and gives the engine a while to acknowledge; what it does not stays journalled. */
    public boolean finish(Duration maxWait) throws InterruptedException {
        buses.stopPolling();
        return forwarder.awaitDrained(maxWait);
    }

    @Override
    public void close() {
        buses.stopPolling();
        dtuServer.close();
        forwarder.close();
        journal.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
