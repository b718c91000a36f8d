package org.meterhub.gateway.dtu;

import io.netty.channel.ChannelPipeline;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.cjt188.Cjt188ReadingMapper;
import org.meterhub.gateway.cjt188.Cjt188Session;
import org.meterhub.gateway.poll.BusPoller;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.gateway.poll.PollStats;
import org.meterhub.protocol.cjt188.Cjt188FrameDecoder;
import org.meterhub.protocol.cjt188.Cjt188FrameEncoder;
import org.meterhub.protocol.cjt188.Cjt188MessageDecoder;
import org.meterhub.protocol.cjt188.Cjt188MessageEncoder;

/**
 * Gives each registered DTU its bus: the CJ/T 188 pipeline behind the tunnel and a poller for
 * the meters configured on that DTU id. A DTU that reconnects gets a fresh poller; the old one
 * stops with its channel.
 */
public final class DtuBusManager implements DtuListener {
    private final Map<String, BusConfig> buses;
    private final PollSettings pollSettings;
    private final ReadingSink sink;
    private final PollStats stats = new PollStats();
    private final Cjt188Session.Counters counters = new Cjt188Session.Counters();
    private final Cjt188ReadingMapper mapper;
    private final Map<String, BusPoller> pollers = new ConcurrentHashMap<>();
    private DtuServer server;

    public DtuBusManager(List<BusConfig> buses, PollSettings pollSettings, ReadingSink sink, ZoneId zone,
                         Clock clock, Duration maxClockSkew) {
        Map<String, BusConfig> byId = new ConcurrentHashMap<>();
        for (BusConfig b : buses) byId.put(b.busId(), b);
        this.buses = byId;
        this.pollSettings = pollSettings;
        this.sink = sink;
        this.mapper = new Cjt188ReadingMapper(zone, clock, maxClockSkew);
    }

    /** The server whose settings (heartbeat, frame limits) shape each bus pipeline. */
    public void attach(DtuServer dtuServer) {
        this.server = dtuServer;
    }

    @Override
    public boolean registered(String dtuId, ChannelPipeline pipeline, DtuConnection connection) {
        BusConfig bus = buses.get(dtuId);
        if (bus == null) return false;
        DtuSettings s = server.settings();
        Cjt188Session session = new Cjt188Session(dtuId, mapper, pollSettings.timeout(), counters);
        server.addHeartbeatFilter(pipeline, session::requestOutstanding);
        pipeline.addLast("cjt188-frame-decoder", new Cjt188FrameDecoder(s.maxBytesWithoutFrame()));
        pipeline.addLast("cjt188-frame-encoder", new Cjt188FrameEncoder(s.preambleBytes()));
        pipeline.addLast("cjt188-message-decoder", new Cjt188MessageDecoder());
        pipeline.addLast("cjt188-message-encoder", new Cjt188MessageEncoder());
        pipeline.addLast("cjt188-session", session);
        BusPoller poller = new BusPoller(dtuId, session, bus.meters(), pollSettings, sink, stats,
                connection.channel().eventLoop(), dtuId.hashCode());
        BusPoller old = pollers.put(dtuId, poller);
        if (old != null) old.stop();
        poller.start();
        return true;
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
