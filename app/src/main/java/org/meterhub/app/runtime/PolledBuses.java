package org.meterhub.app.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.dtu.DtuBusManager;
import org.meterhub.gateway.dtu.DtuServer;
import org.meterhub.gateway.dtu.DtuSettings;
import org.meterhub.gateway.poll.PollSettings;

/**
 * Every bus of a gateway file, whatever carries it: DTUs that dial in and the serial lines and
 * Modbus devices the gateway opens itself, all feeding one sink (the journal). Whether the engine
 * runs in this process or behind the broker is the caller's business, so the single box and the
 * forwarding gateway poll exactly the same way.
 */
public final class PolledBuses implements AutoCloseable {
    private final GatewayConfig config;
    private final PollSettings poll;
    private final ReadingSink sink;
    private final Clock clock;
    private final DtuBusManager dtuBuses;
    private final DtuServer dtuServer;
    private final EventLoopGroup group;
    private LocalBuses local;

    public PolledBuses(GatewayConfig config, PollSettings poll, ReadingSink sink, Clock clock, int ioThreads) {
        this.config = config;
        this.poll = poll;
        this.sink = sink;
        this.clock = clock;
        this.dtuBuses = new DtuBusManager(SingleBox.toBuses(config), poll, sink, config.zone(), clock,
                config.poll().maxClockSkew());
        GatewayConfig.DtuSection d = config.dtu();
        HostPort listen = HostPort.parse(d.listen());
        DtuSettings settings = new DtuSettings(listen.host(), listen.port(), d.registrationTimeout(), d.idleTimeout(),
                d.heartbeat(), DtuSettings.DEFAULT_ID, d.maxBytesWithoutFrame(), d.preambleBytes(), d.heartbeatTimeout());
        this.group = new NioEventLoopGroup(ioThreads);
        this.dtuServer = new DtuServer(settings, dtuBuses, group, clock);
        this.dtuBuses.attach(dtuServer);
    }

    /** Where refused DTU registrations (hijack attempts, wrong proofs) are reported; call before {@link #start()}. */
    public PolledBuses onDtuRefusal(java.util.function.Consumer<org.meterhub.gateway.dtu.DtuServer.Refusal> consumer) {
        dtuServer.onRefusal(consumer);
        return this;
    }

    /** Starts the dial-in server, then opens the local serial lines and Modbus devices and polls them. */
    public InetSocketAddress start() throws InterruptedException {
        InetSocketAddress bound = dtuServer.start();
        local = LocalBuses.open(config, poll, sink, dtuBuses.stats(), group, clock, dtuBuses.busHealth());
        org.meterhub.gateway.metrics.GatewayMetrics.watch(dtuBuses.busHealth());
        return bound;
    }

    /** Reads one configured meter now through the poller of its bus, so it never overlaps another request there. */
    public CompletableFuture<Reading> readNow(String meterId) {
        if (local != null && local.knows(meterId)) return local.readNow(meterId);
        return dtuBuses.readNow(meterId);
    }

    /** A final read of every reachable meter on every bus. */
    public CompletableFuture<Void> readAllNow() {
        return CompletableFuture.allOf(dtuBuses.readAllNow(),
                local == null ? CompletableFuture.completedFuture(null) : local.readAllNow());
    }

    /** Meters configured on every kind of bus. */
    public int configuredMeters() {
        return dtuBuses.configuredMeters() + (local == null ? 0 : local.configuredMeters());
    }

    /** Meters whose last poll succeeded, on every kind of bus. */
    public int onlineMeters() {
        return dtuBuses.onlineMeters() + (local == null ? 0 : local.onlineMeters());
    }

    /**
     * The gateway's live state for the console's Gateways page ({@code engine.gateways}): DTUs connected of those
     * configured, meters online, polls that produced a reading or failed after their retries (the serial lines and
     * Modbus devices count into the DTU buses' stats), and the journal's backlog: entries not yet acknowledged.
     */
    public org.meterhub.engine.gateways.GatewayStatus status(String gatewayId, java.time.Instant at,
                                                             org.meterhub.gateway.journal.JournalStats journal) {
        var polls = dtuBuses.stats();
        return new org.meterhub.engine.gateways.GatewayStatus(gatewayId, at, dtuServer.connectedCount(),
                config.buses().size(), onlineMeters(), configuredMeters(), polls.readings.get(), polls.failedPolls.get(),
                journal.pending(), journal.level().name(), busStatus());
    }

    /** Every bus's health now, for the status report: DTUs, serial lines, Modbus TCP peers (the MQTT uplink is the forwarder's). */
    public java.util.List<org.meterhub.engine.gateways.BusStatus> busStatus() {
        return dtuBuses.busHealth().snapshots().stream().map(PolledBuses::busStatus).toList();
    }

    public static org.meterhub.engine.gateways.BusStatus busStatus(org.meterhub.gateway.poll.BusHealth.Snapshot s) {
        return new org.meterhub.engine.gateways.BusStatus(s.kind(), s.name(), s.connected(), s.pollsOk(), s.pollsFailed(),
                s.window(), s.lastOk(), s.lastErrorAt(), s.lastError());
    }

    public void stopPolling() {
        dtuBuses.stopPolling();
        if (local != null) local.stopPolling();
    }

    public DtuBusManager dtuBuses() {
        return dtuBuses;
    }

    public DtuServer dtuServer() {
        return dtuServer;
    }

    @Override
    public void close() {
        org.meterhub.gateway.metrics.GatewayMetrics.forget(dtuBuses.busHealth());
        stopPolling();
        if (local != null) local.close();
        dtuServer.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
