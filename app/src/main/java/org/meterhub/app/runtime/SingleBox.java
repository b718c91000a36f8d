package org.meterhub.app.runtime;

import org.meterhub.engine.attempt.ReadAttemptRecorder;
import org.meterhub.engine.ingest.ReadingSink;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.MeterTypes;
import org.meterhub.app.forward.JournalForwarding;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.dtu.DtuBusManager;
import org.meterhub.gateway.dtu.DtuServer;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalSink;
import org.meterhub.gateway.poll.PollSettings;

/**
 * Gateway and engine in one process: DTUs dial in, buses are polled, readings are committed to
 * the journal and handed from there, in memory, to the engine's ingest pipeline and on into the
 * store; a journal entry leaves only once the store has committed it (docs/store-and-forward.md).
 */
public final class SingleBox implements AutoCloseable {
    private final MeterStore store;
    private final IngestRules rules;
    private final ReadAttemptRecorder attempts;
    private final IngestPipeline.IngestStats ingestStats = new IngestPipeline.IngestStats();
    private final StoreHealth storeHealth;
    private final JournalForwarding link;
    private final PolledBuses buses;
    private final ClockGuard clockGuard;
    private InetSocketAddress bound;

    public SingleBox(GatewayConfig config, MeterStore store, Clock clock, PollSettings poll, int ioThreads) {
        this(config, store, IngestRules.inMemory(AlarmSink.none(), Clock.systemUTC(), config.ruleOptions()), clock, poll,
                ioThreads);
    }

    /**
     * The engine's rules for a single box on the store at {@code storeUrl}: flags, corrections, alarms and converter
     * samples next to the readings; electronic volume converters checked with the file's {@code evc} settings.
     */
    public static IngestRules rules(GatewayConfig config, String storeUrl, AlarmSink sink, Clock clock) {
        return IngestRules.forStore(storeUrl, org.meterhub.engine.metrics.AlarmMetrics.counting(sink), clock,
                config.ruleOptions());
    }

    /** @param rules where the engine's flags, corrections and alarms go (e.g. {@link IngestRules#forStore}); closed with the box */
    public SingleBox(GatewayConfig config, MeterStore store, IngestRules rules, Clock clock, PollSettings poll,
                     int ioThreads) {
        this(config, store, rules, clock, null, poll, ioThreads);
    }

    /**
     * A box that does not simply believe its clock: {@code trust} decides which clock is wrong, and a
     * {@link ClockGuard} between the pollers and the journal gives each reading the time it stands behind, or holds
     * it (next to the journal) until there is one.
     */
    public SingleBox(GatewayConfig config, MeterStore store, IngestRules rules, ClockTrust trust, PollSettings poll,
                     int ioThreads) {
        this(config, store, rules, trust.clock(), trust, poll, ioThreads);
    }

    private SingleBox(GatewayConfig config, MeterStore store, IngestRules rules, Clock clock, ClockTrust trust,
                      PollSettings poll, int ioThreads) {
        this.store = store;
        this.rules = rules;
        org.meterhub.engine.metrics.AlarmMetrics.watch(rules.alarms()); // open and overdue alarms in /metrics
        // A store failure is a state, not an end: the committer throws a failed pipeline away, waits
        // (store-retry), and the next attempt gets a fresh one; the journal keeps the readings meanwhile.
        this.storeHealth = new StoreHealth(store.describe(), clock);
        BatchCommitter committer = new BatchCommitter(() -> IngestPipeline.sharing(store, rules, ingestStats),
                config.storeRetry().toRetry(), storeHealth);
        this.link = JournalForwarding.toStore(config.journal(), store, committer);
        this.clockGuard = trust == null ? null : ClockGuard.open(trust,
                ClockGuard.heldPathFor(link.journal().settings().path()), link.journal()::append, link.journal()::accepting);
        ReadingSink polled = clockGuard != null ? clockGuard : new JournalSink(link.journal());
        // failed polls become recorded read attempts ("three times not read"), written off the event loops
        this.attempts = rules.readAttempts().map(l -> new ReadAttemptRecorder(polled, l, clock, 10_000)).orElse(null);
        this.buses = new PolledBuses(config, poll, attempts != null ? attempts : polled, clock, ioThreads)
                .onDtuRefusal(new DtuRefusalAlarms(rules.alarms(), Duration.ofMinutes(1)));
    }

    /** The newest reading the store holds of the configured meters, or null: a trusted clock is not behind it. */
    public static java.time.Instant newestReading(MeterStore store, GatewayConfig config) {
        java.time.Instant newest = null;
        List<GatewayConfig.MeterSection> all = new ArrayList<>();
        config.buses().forEach(b -> all.addAll(b.meters()));
        config.serial().forEach(s -> all.addAll(s.meters()));
        config.modbus().forEach(d -> all.addAll(d.meters()));
        for (GatewayConfig.MeterSection m : all) {
            java.time.Instant t = store.lastReading(m.id()).map(Reading::time).orElse(null);
            if (t != null && (newest == null || t.isAfter(newest))) newest = t;
        }
        return newest;
    }

    /** The guard that times readings when the box was built with a {@link ClockTrust}; empty otherwise. */
    public java.util.Optional<ClockGuard> clockGuard() {
        return java.util.Optional.ofNullable(clockGuard);
    }

    public static PollSettings pollSettings(GatewayConfig.PollSection p) {
        return new PollSettings(p.interval(), p.jitter(), p.timeout(), p.interFrameDelay(), p.retries(),
                p.retryBackoff(), p.degradeAfter(), p.degradeFactor(), p.firstPollSpread(), p.confirmationReads());
    }

    /** Starts the dial-in server, then opens the local serial lines and Modbus devices and polls them. */
    public InetSocketAddress start() throws InterruptedException {
        bound = buses.start();
        return bound;
    }

    /** Reads one configured meter now, through the poller of its bus (DTU, serial line or Modbus device). */
    public java.util.concurrent.CompletableFuture<Reading> readNow(String meterId) {
        return buses.readNow(meterId);
    }

    /** Meters configured on every kind of bus. */
    public int configuredMeters() {
        return buses.configuredMeters();
    }

    /** Meters whose last poll succeeded, on every kind of bus. */
    public int onlineMeters() {
        return buses.onlineMeters();
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
                    meters, bus.proofs()));
        }
        return out;
    }

    /**
     * Final reads of every connected meter, then everything committed to the store. When the final
     * reads take longer than {@code maxWait}, what was read is still committed before the timeout
     * is reported.
     */
    public void drain(Duration maxWait) throws Exception {
        try {
            buses.readAllNow().get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            finish(maxWait);
            throw new java.util.concurrent.TimeoutException("the final read of every meter did not finish within "
                    + maxWait.toSeconds() + " s (" + onlineMeters() + " of " + configuredMeters()
                    + " meters online); the readings taken are stored");
        }
        finish(maxWait);
    }

    /** Stops polling, then waits until the store has committed everything journalled. */
    public boolean finish(Duration maxWait) throws InterruptedException {
        buses.stopPolling();
        // The engine acknowledges a batch only after its store committed it: drained = stored.
        return link.forwarder().awaitDrained(maxWait);
    }

    public Journal journal() {
        return link.journal();
    }

    /**
     * The box's own live state as the console's Gateways page shows it ({@code engine.gateways}): DTUs connected of
     * those configured, meters online, polls that produced a reading or failed after their retries (every kind of bus),
     * and the journal's backlog: readings the store has not acknowledged yet.
     */
    public org.meterhub.engine.gateways.GatewayStatus status(String gatewayId, java.time.Instant at) {
        return buses.status(gatewayId, at, link.journal().stats());
    }

    public InetSocketAddress address() {
        return bound;
    }

    public DtuBusManager buses() {
        return buses.dtuBuses();
    }

    public DtuServer dtuServer() {
        return buses.dtuServer();
    }

    /** The engine's counters, over every pipeline this box made (a new one after each store failure). */
    public IngestPipeline.IngestStats ingestStats() {
        return ingestStats;
    }

    /** Whether the store takes commits: UP, or DOWN since when. */
    public StoreHealth storeHealth() {
        return storeHealth;
    }

    public MeterStore store() {
        return store;
    }

    @Override
    public void close() {
        buses.close();
        if (attempts != null) attempts.close();
        if (clockGuard != null) clockGuard.close();
        link.close();
        rules.close();
    }

}
