package org.meterhub.gateway.dtu;

import io.netty.channel.ChannelPipeline;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188ReadingMapper;
import org.meterhub.gateway.cjt188.Cjt188Session;
import org.meterhub.gateway.driver.ChannelMeterSession;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.MeterSession;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.gateway.modbus.ModbusReadingMapper;
import org.meterhub.gateway.modbus.ModbusRtuReplyDecoder;
import org.meterhub.gateway.modbus.ModbusRtuRequestEncoder;
import org.meterhub.gateway.modbus.ModbusRtuSession;
import org.meterhub.gateway.poll.BusPoller;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.gateway.poll.PollStats;
import org.meterhub.gateway.poll.SettlementReads;
import org.meterhub.protocol.cjt188.Cjt188FrameDecoder;
import org.meterhub.protocol.cjt188.Cjt188FrameEncoder;
import org.meterhub.protocol.cjt188.Cjt188MessageDecoder;
import org.meterhub.protocol.cjt188.Cjt188MessageEncoder;

/**
 * Gives each registered DTU its bus: the pipeline of the bus's protocol behind the tunnel (CJ/T 188
 * or Modbus RTU) and a poller for the meters configured on that DTU id. A DTU that reconnects gets a
 * fresh poller; the old one stops with its channel.
 */
public final class DtuBusManager implements DtuListener {
    /**
     * Quiet time after bytes that made no good reply before a request is sent again at once. The DTU's
     * serial speed is unknown here: at 1200 baud a request alone is 150 ms on the wire, so a stale reply
     * followed by the real one can leave a gap of that order, and a resend into it would collide on the
     * bus. 300 ms covers that and is still far below the per-request timeout a damaged reply used to cost.
     */
    static final Duration TUNNEL_QUIET = Duration.ofMillis(300);
    private final Map<String, BusConfig> buses;
    private final PollSettings pollSettings;
    private final ReadingSink sink;
    private final PollStats stats = new PollStats();
    private final Cjt188Session.Counters counters = new Cjt188Session.Counters();
    private final Cjt188ReadingMapper mapper;
    private final ModbusReadingMapper modbusMapper;
    private final ModbusRtuSession.Counters modbusCounters = new ModbusRtuSession.Counters();
    private final Map<String, BusPoller> pollers = new ConcurrentHashMap<>();
    private final Map<String, String> busOfMeter = new ConcurrentHashMap<>();
    /** Outlives each connection: a DTU that redials neither forgets a month done nor one still owed. */
    private final SettlementReads settlementReads;
    private DtuServer server;
    /** Every bus's health, the DTUs' from the start (a DTU that never dials in is a bus that is down). */
    private final org.meterhub.gateway.poll.BusHealthRegistry health;
    private volatile boolean confirmOnNoise = true;

    public DtuBusManager(List<BusConfig> buses, PollSettings pollSettings, ReadingSink sink, ZoneId zone,
                         Clock clock, Duration maxClockSkew) {
        Map<String, BusConfig> byId = new ConcurrentHashMap<>();
        for (BusConfig b : buses) {
            byId.put(b.busId(), b);
            for (MeterEndpoint m : b.meters()) busOfMeter.put(m.meterId(), b.busId());
        }
        this.buses = byId;
        this.pollSettings = pollSettings;
        this.sink = sink;
        this.mapper = new Cjt188ReadingMapper(zone, clock, maxClockSkew);
        this.modbusMapper = new ModbusReadingMapper(clock, maxClockSkew);
        this.settlementReads = new SettlementReads(clock, zone);
        this.health = new org.meterhub.gateway.poll.BusHealthRegistry(clock, org.meterhub.gateway.poll.BusHealth.DEFAULT_WINDOW);
        for (BusConfig b : buses) {
            health.bus(kind(b), b.busId()).connectedBy(() -> server != null && server.isConnected(b.busId()));
        }
    }

    private static String kind(BusConfig bus) {
        return bus.protocol() == BusProtocol.MODBUS_RTU ? "dtu-modbus" : "dtu-cjt188";
    }

    /** The health of every bus of the gateway: these DTUs', and the local buses' the gateway adds to it. */
    public org.meterhub.gateway.poll.BusHealthRegistry busHealth() {
        return health;
    }

    /** Monthly settlement reads of all DTU buses: counters and the months done. */
    public SettlementReads settlementReads() {
        return settlementReads;
    }

    /**
     * Whether CJ/T 188 buses that show line noise credit a reading only after a second reply agrees
     * (default on). Off only to measure what the additive checksum lets through.
     */
    public DtuBusManager confirmOnNoise(boolean on) {
        this.confirmOnNoise = on;
        return this;
    }

    /** The server whose settings (heartbeat, frame limits) shape each bus pipeline. */
    public void attach(DtuServer dtuServer) {
        this.server = dtuServer;
    }

    @Override
    public boolean configured(String dtuId) {
        return buses.containsKey(dtuId);
    }

    @Override
    public Set<String> proofs(String dtuId) {
        BusConfig bus = buses.get(dtuId);
        return bus == null ? Set.of() : bus.proofs();
    }

    @Override
    public boolean registered(String dtuId, ChannelPipeline pipeline, DtuConnection connection) {
        BusConfig bus = buses.get(dtuId);
        if (bus == null) return false;
        MeterSession session = bus.protocol() == BusProtocol.MODBUS_RTU ? modbusPipeline(dtuId, pipeline)
                : cjt188Pipeline(dtuId, pipeline);
        BusPoller poller = new BusPoller(dtuId, session, bus.meters(), pollSettings, sink, stats,
                connection.channel().eventLoop(), dtuId.hashCode()).settlementReads(settlementReads)
                .kind(kind(bus)).health(health.bus(kind(bus), dtuId));
        BusPoller old = pollers.put(dtuId, poller);
        if (old != null) old.stop();
        poller.start();
        return true;
    }

    private MeterSession cjt188Pipeline(String dtuId, ChannelPipeline pipeline) {
        DtuSettings s = server.settings();
        Cjt188FrameDecoder frames = new Cjt188FrameDecoder(s.maxBytesWithoutFrame()).heartbeat(s.heartbeatBytes());
        Cjt188MessageDecoder messages = new Cjt188MessageDecoder();
        Cjt188Session session = new Cjt188Session(dtuId, mapper, pollSettings.timeout(), counters, !confirmOnNoise ? null
                : new Cjt188Session.Confirmation(() -> frames.garbageBytes() + messages.messagesRejected(),
                        Cjt188Session.Confirmation.DEFAULT_QUIET_EXCHANGES, pollSettings.interFrameDelay(),
                        pollSettings.confirmationReads()));
        session.quickRetry(new ChannelMeterSession.QuickRetry(tunnelQuiet(),
                ChannelMeterSession.QuickRetry.DEFAULT_MAX_PER_READ, server.settings().heartbeatBytes()));
        server.addHeartbeatFilter(pipeline, session::requestOutstanding);
        pipeline.addLast("cjt188-line-tap", session.lineTap());
        pipeline.addLast("cjt188-frame-decoder", frames);
        pipeline.addLast("cjt188-frame-encoder", new Cjt188FrameEncoder(s.preambleBytes()));
        pipeline.addLast("cjt188-message-decoder", messages);
        pipeline.addLast("cjt188-message-encoder", new Cjt188MessageEncoder());
        pipeline.addLast("cjt188-session", session);
        return session;
    }

    /** {@link #TUNNEL_QUIET} (at least the turnaround), but never more than half the timeout, or it would never act. */
    private Duration tunnelQuiet() {
        Duration quiet = pollSettings.interFrameDelay().compareTo(TUNNEL_QUIET) > 0 ? pollSettings.interFrameDelay() : TUNNEL_QUIET;
        Duration half = pollSettings.timeout().dividedBy(2);
        return quiet.compareTo(half) < 0 ? quiet : half;
    }

    private MeterSession modbusPipeline(String dtuId, ChannelPipeline pipeline) {
        ModbusRtuSession session = new ModbusRtuSession(dtuId, modbusMapper, pollSettings.timeout(),
                pollSettings.interFrameDelay(), modbusCounters);
        session.quickRetry(new ChannelMeterSession.QuickRetry(tunnelQuiet(),
                ChannelMeterSession.QuickRetry.DEFAULT_MAX_PER_READ, server.settings().heartbeatBytes()));
        server.addHeartbeatFilter(pipeline, session::requestOutstanding);
        pipeline.addLast("modbus-rtu-line-tap", session.lineTap());
        pipeline.addLast("modbus-rtu-decoder", new ModbusRtuReplyDecoder(server.settings().maxBytesWithoutFrame()));
        pipeline.addLast("modbus-rtu-encoder", new ModbusRtuRequestEncoder());
        pipeline.addLast("modbus-rtu-session", session);
        return session;
    }

    /**
     * Reads one configured meter now through its bus's poller (so never alongside another request
     * on that bus). Fails with {@link ReadFailure} CLOSED when its DTU is not connected, and with
     * {@link IllegalArgumentException} for a meter this gateway does not know.
     */
    public CompletableFuture<Reading> readNow(String meterId) {
        String busId = busOfMeter.get(meterId);
        if (busId == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("meter " + meterId + " is not configured"));
        }
        BusPoller poller = pollers.get(busId);
        if (poller == null) {
            return CompletableFuture.failedFuture(new ReadFailure(ReadFailure.Kind.CLOSED, "DTU " + busId + " is not connected"));
        }
        return poller.readNow(meterId);
    }

    /** True when this manager has the meter on one of its buses. */
    public boolean knows(String meterId) {
        return busOfMeter.containsKey(meterId);
    }

    public ModbusRtuSession.Counters modbusCounters() {
        return modbusCounters;
    }

    @Override
    public void disconnected(String dtuId, DtuConnection connection) {
        BusPoller p = pollers.get(dtuId);
        // only the poller of this connection: a replacement may already be registered
        if (p != null && !server.isConnected(dtuId)) {
            pollers.remove(dtuId, p);
            p.stop();
        }
    }

    /** Reads every meter on every connected bus once; completes when all have answered or failed. */
    public CompletableFuture<Void> readAllNow() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        pollers.values().forEach(p -> all.add(p.readAllNow()));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    public void stopPolling() {
        pollers.values().forEach(BusPoller::stop);
    }

    public int onlineMeters() {
        int n = 0;
        for (BusPoller p : pollers.values()) n += p.onlineMeters();
        return n;
    }

    public int configuredMeters() {
        int n = 0;
        for (BusConfig b : buses.values()) n += b.meters().size();
        return n;
    }

    public PollStats stats() {
        return stats;
    }

    public Cjt188Session.Counters protocolCounters() {
        return counters;
    }
}
