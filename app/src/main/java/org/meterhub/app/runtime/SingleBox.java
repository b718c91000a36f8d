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
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
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
    private final GatewayConfig config;
    private final PollSettings poll;
    private final Clock clock;
    private LocalBuses local;
    private InetSocketAddress bound;

    public SingleBox(GatewayConfig config, MeterStore store, Clock clock, PollSettings poll, int ioThreads) {
        this(config, store, IngestRules.inMemory(AlarmSink.none()), clock, poll, ioThreads);
    }

    /** @param rules where the engine's flags, corrections and alarms go (e.g. {@link IngestRules#forStore}); closed with the box */
    public SingleBox(GatewayConfig config, MeterStore store, IngestRules rules, Clock clock, PollSettings poll,
                     int ioThreads) {
        this.store = store;
        this.ingest = IngestPipeline.withRules(store, rules);
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
        this.config = config;
        this.poll = poll;
        this.clock = clock;
    }

    public static PollSettings pollSettings(GatewayConfig.PollSection p) {
        return new PollSettings(p.interval(), p.jitter(), p.timeout(), p.interFrameDelay(), p.retries(),
                p.retryBackoff(), p.degradeAfter(), p.degradeFactor());
    }

    /** Starts the dial-in server, then opens the local serial lines and Modbus devices and polls them. */
    public InetSocketAddress start() throws InterruptedException {
        bound = dtuServer.start();
        local = LocalBuses.open(config, poll, new JournalSink(journal), buses.stats(), group, clock);
        return bound;
    }

    /**
     * Reads one configured meter now, through the poller of its bus (DTU, serial line or Modbus
     * device), so it never overlaps another request on that bus.
     */
    public java.util.concurrent.CompletableFuture<Reading> readNow(String meterId) {
        if (local != null && local.knows(meterId)) return local.readNow(meterId);
        return buses.readNow(meterId);
    }

    /** Meters configured on every kind of bus. */
    public int configuredMeters() {
        return buses.configuredMeters() + (local == null ? 0 : local.configuredMeters());
    }

    /** Meters whose last poll succeeded, on every kind of bus. */
    public int onlineMeters() {
        return buses.onlineMeters() + (local == null ? 0 : local.onlineMeters());
    }

    /** Registers meters whose commissioning reading is configured; an existing record is kept. */
    public static void registerMeters(MeterStore store, GatewayConfig config, java.time.Instant commissionedAt) {
        List<GatewayConfig.MeterSection> all = new ArrayList<>();
        config.buses().forEach(b -> all.addAll(b.meters()));
        config.serial().forEach(s -> all.addAll(s.meters()));
        config.modbus().forEach(d -> all.addAll(d.meters()));
        MeterEndpoints endpoints = new MeterEndpoints();
        for (GatewayConfig.MeterSection m : all) {
            if (m.baseReadingL() != null) {
                store.registerMeter(new MeterInfo(m.id(), MeterTypes.medium(m.type()), m.baseReadingL(),
                        commissionedAt, endpoints.capacityL(m)));
            }
        }
    }

    /** The DTU buses of the file: CJ/T 188 or Modbus RTU meters behind each DTU id. */
    public static List<BusConfig> toBuses(GatewayConfig config) {
        MeterEndpoints endpoints = new MeterEndpoints();
        List<BusConfig> out = new ArrayList<>();
        for (GatewayConfig.BusSection bus : config.buses()) {
            List<MeterEndpoint> meters = new ArrayList<>();
            for (GatewayConfig.MeterSection m : bus.meters()) meters.add(endpoints.of(m));
            out.add(new BusConfig(bus.dtu(), bus.protocol().equals("modbus-rtu") ? BusProtocol.MODBUS_RTU : BusProtocol.CJT188,
                    meters));
        }
        return out;
    }

    /** Final reads of every connected meter, then everything committed to the store. */
    public void drain(Duration maxWait) throws Exception {
        java.util.concurrent.CompletableFuture.allOf(buses.readAllNow(),
                local == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : local.readAllNow())
                .get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        finish(maxWait);
    }

    /** Stops polling, then waits until the store has committed everything journalled. */
    public boolean finish(Duration maxWait) throws InterruptedException {
        buses.stopPolling();
        if (local != null) local.stopPolling();
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
        if (local != null) local.close();
        dtuServer.close();
        forwarder.close();
        journal.close();
        ingest.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

}
