package org.meterhub.app.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.app.config.MeterTypes;
import org.meterhub.app.forward.JournalWiring;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.dtu.DtuBusManager;
import org.meterhub.gateway.dtu.DtuServer;
import org.meterhub.gateway.dtu.DtuSettings;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSink;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;

/**
 * Gateway and engine in one process: DTUs dial in, buses are polled, readings are committed to
 * the journal and handed from there, in memory, to the engine's ingest pipeline and on into the
 * store; a journal entry leaves only once the store has committed it (docs/store-and-forward.md).
 */
public final class SingleBox implements AutoCloseable {
    private final MeterStore store;
    private final IngestPipeline ingest;
    private final Journal journal;
    private final Forwarder forwarder;
    private final DtuBusManager buses;
    private final DtuServer dtuServer;
    private final EventLoopGroup group;
    private InetSocketAddress bound;

    public SingleBox(GatewayConfig config, MeterStore store, Clock clock, PollSettings poll, int ioThreads) {
        this.store = store;
        this.ingest = IngestPipeline.withDefaults(store);
        this.journal = Journal.open(JournalWiring.journal(config.journal()), JournalListener.NONE);
        try {
            journal.claim(store.describe());
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
        this.forwarder = new Forwarder(journal, new LocalBatchTransport(BatchCommitter.using(ingest)),
                JournalWiring.forwarder(config.journal()), Clock.systemUTC()).start();
        this.buses = new DtuBusManager(toBuses(config), poll, new JournalSink(journal), config.zone(), clock,
                config.poll().maxClockSkew());
        GatewayConfig.DtuSection d = config.dtu();
        HostPort listen = HostPort.parse(d.listen());
        DtuSettings settings = new DtuSettings(listen.host(), listen.port(), d.registrationTimeout(), d.idleTimeout(),
                d.heartbeat(), DtuSettings.DEFAULT_ID, d.maxBytesWithoutFrame(), d.preambleBytes());
        this.group = new NioEventLoopGroup(ioThreads);
        this.dtuServer = new DtuServer(settings, buses, group, clock);
        this.buses.attach(dtuServer);
    }

    public static PollSettings pollSettings(GatewayConfig.PollSection p) {
        return new PollSettings(p.interval(), p.jitter(), p.timeout(), p.interFrameDelay(), p.retries(),
                p.retryBackoff(), p.degradeAfter(), p.degradeFactor());
    }

    public InetSocketAddress start() throws InterruptedException {
        bound = dtuServer.start();
        return bound;
    }

    /** Registers meters whose commissioning reading is configured; an existing record is kept. */
    public static void registerMeters(MeterStore store, GatewayConfig config, java.time.Instant commissionedAt) {
        for (GatewayConfig.BusSection bus : config.buses()) {
            for (GatewayConfig.MeterSection m : bus.meters()) {
                if (m.baseReadingL() != null) {
                    store.registerMeter(new MeterInfo(m.id(), MeterTypes.medium(m.type()), m.baseReadingL(),
                            commissionedAt, MeterInfo.CJT188_CAPACITY_L));
                }
            }
        }
    }

    public static List<BusConfig> toBuses(GatewayConfig config) {
        List<BusConfig> out = new ArrayList<>();
        for (GatewayConfig.BusSection bus : config.buses()) {
            List<MeterEndpoint> meters = new ArrayList<>();
            for (GatewayConfig.MeterSection m : bus.meters()) {
                DiOrder order = m.diOrder().equals("low-first") ? DiOrder.LOW_FIRST : DiOrder.HIGH_FIRST;
                meters.add(new MeterEndpoint(m.id(), m.address(), MeterTypes.medium(m.type()),
                        new Cjt188Options(MeterTypes.code(m.type()), order)));
            }
            out.add(new BusConfig(bus.dtu(), BusProtocol.CJT188, meters));
        }
        return out;
    }

    /** Final reads of every connected meter, then everything committed to the store. */
    public void drain(Duration maxWait) throws Exception {
        buses.readAllNow().get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        finish(maxWait);
    }

    /** Stops polling, then waits until the store has committed everything journalled. */
    public boolean finish(Duration maxWait) throws InterruptedException {
        buses.stopPolling();
        boolean drained = forwarder.awaitDrained(maxWait);
        ingest.flush();
        return drained;
    }

    public Journal journal() {
        return journal;
    }

    public InetSocketAddress address() {
        return bound;
    }

    public DtuBusManager buses() {
        return buses;
    }

    public DtuServer dtuServer() {
        return dtuServer;
    }

    public IngestPipeline ingest() {
        return ingest;
    }

    public MeterStore store() {
        return store;
    }

    @Override
    public void close() {
        buses.stopPolling();
        dtuServer.close();
        forwarder.close();
        journal.close();
        ingest.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

}
