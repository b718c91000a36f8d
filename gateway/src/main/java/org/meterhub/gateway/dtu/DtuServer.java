package org.meterhub.gateway.dtu;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway side of DTU dial-in (protocols.md §2): listens, reads the registration line
 * within the timeout, strips heartbeats, closes idle tunnels, and lets a reconnecting DTU
 * replace its old connection.
 */
public final class DtuServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DtuServer.class);
    private static final AttributeKey<String> DTU_ID = AttributeKey.valueOf("meterhub.dtuId");

    private final DtuSettings settings;
    private final DtuListener listener;
    private final EventLoopGroup group;
    private final Clock clock;
    private final Map<String, DtuConnection> connections = new ConcurrentHashMap<>();
    private final Stats stats = new Stats();
    private Channel serverChannel;

    /** Counters for status lines and tests. */
    public static final class Stats {
        public final AtomicLong accepted = new AtomicLong();
        public final AtomicLong registered = new AtomicLong();
        public final AtomicLong rejected = new AtomicLong();
        public final AtomicLong registrationTimeouts = new AtomicLong();
        public final AtomicLong replaced = new AtomicLong();
        public final AtomicLong idleClosed = new AtomicLong();
        public final AtomicLong heartbeats = new AtomicLong();
    }

    public DtuServer(DtuSettings settings, DtuListener listener, EventLoopGroup group, Clock clock) {
        this.settings = settings;
        this.listener = listener;
        this.group = group;
        this.clock = clock;
    }

    public InetSocketAddress start() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        stats.accepted.incrementAndGet();
                        ch.pipeline().addLast("registration", new DtuRegistrationDecoder(
                                settings.idPattern(), settings.maxRegistrationBytes(),
                                DtuServer.this::onRegistered, DtuServer.this::onRejected));
                        ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> {
                            if (ch.attr(DTU_ID).get() == null && ch.isActive()) {
                                stats.registrationTimeouts.incrementAndGet();
                                log.info("DTU at {} sent no registration within {} ms, closing", ch.remoteAddress(),
                                        settings.registrationTimeout().toMillis());
                                ch.close();
                            }
                        }, settings.registrationTimeout().toMillis(), TimeUnit.MILLISECONDS);
                        ch.closeFuture().addListener(f -> timer.cancel(false));
                    }
                });
        serverChannel = b.bind(settings.host(), settings.port()).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        log.info("DTU dial-in server listening on {}", bound);
        return bound;
    }

    private void onRejected(ChannelHandlerContext ctx, String reason) {
        stats.rejected.incrementAndGet();
        log.info("DTU at {} rejected: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    private void onRegistered(ChannelHandlerContext ctx, String dtuId) {
        Channel ch = ctx.channel();
        ch.attr(DTU_ID).set(dtuId);
        DtuConnection conn = new DtuConnection(dtuId, ch, clock.instant());
        ch.pipeline().addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        ch.pipeline().addLast("idle-close", new IdleCloser(dtuId));
        if (!listener.registered(dtuId, ch.pipeline(), conn)) {
            stats.rejected.incrementAndGet();
            log.info("DTU {} is not configured on this gateway, closing", dtuId);
            ch.close();
            return;
        }
        // Published only once its bus is set up, so "connected" always means "being polled".
        DtuConnection old = connections.put(dtuId, conn);
        if (old != null && old.channel() != ch) {
            stats.replaced.incrementAndGet();
            log.info("DTU {} reconnected from {}: replacing its old connection", dtuId, ch.remoteAddress());
            old.channel().close();
        }
        stats.registered.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            connections.remove(dtuId, conn);
            listener.disconnected(dtuId, conn);
        });
    }

    /** Installs the heartbeat filter; the listener calls this first when it builds the bus pipeline. */
    public void addHeartbeatFilter(io.netty.channel.ChannelPipeline pipeline, BooleanSupplier requestOutstanding) {
        pipeline.addLast("heartbeat", new HeartbeatFilter(settings.heartbeatBytes(), requestOutstanding, stats.heartbeats));
    }

    public DtuSettings settings() {
        return settings;
    }

    public Stats stats() {
        return stats;
    }

    public int connectedCount() {
        return connections.size();
    }

    public boolean isConnected(String dtuId) {
        return connections.containsKey(dtuId);
    }

    @Override
    public void close() {
        if (serverChannel != null) serverChannel.close().syncUninterruptibly();
        connections.values().forEach(c -> c.channel().close());
    }

    private final class IdleCloser extends ChannelInboundHandlerAdapter {
        private final String dtuId;

        IdleCloser(String dtuId) {
            this.dtuId = dtuId;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                stats.idleClosed.incrementAndGet();
                log.info("DTU {} silent for {} s, closing", dtuId, settings.idleTimeout().toSeconds());
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }
}
