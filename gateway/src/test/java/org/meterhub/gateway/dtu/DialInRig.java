package org.meterhub.gateway.dtu;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.poll.PollSettings;

/**
 * The gateway's dial-in side on loopback for tests: a {@link DtuServer} on its own event loop,
 * another loop for the simulated DTUs, and the readings the gateway delivered, in order.
 */
final class DialInRig implements AutoCloseable {
    /** The utility's zone the gateway reads meter clocks in. */
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    final NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
    final Queue<Reading> readings = new ConcurrentLinkedQueue<>();
    private final NioEventLoopGroup gatewayGroup = new NioEventLoopGroup(1);
    DtuServer server;

    /** A bus manager whose readings go to {@link #readings}; not serving yet. */
    DtuBusManager manager(List<BusConfig> buses, PollSettings poll, Clock clock) {
        return new DtuBusManager(buses, poll, readings::add, ZONE, clock, Duration.ofMinutes(10));
    }

    /** Serves the manager on a free loopback port and returns the address the DTUs dial. */
    InetSocketAddress serve(DtuBusManager manager, Clock clock) throws InterruptedException {
        server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), manager, gatewayGroup, clock);
        manager.attach(server);
        return server.start();
    }

    @Override
    public void close() {
        if (server != null) server.close();
        gatewayGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
