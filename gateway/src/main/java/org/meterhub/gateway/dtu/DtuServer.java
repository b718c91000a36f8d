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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway side of DTU dial-in (protocols.md §2): listens, reads the registration line
 * within the timeout, strips heartbeats, closes idle tunnels, and lets a reconnecting DTU
 * replace its old connection only with proof of who it is, or once the old tunnel has been
 * silent past the heartbeat timeout. An id alone is printed on the modem: a second connection
 * that offers only the id of a live tunnel is refused, counted, logged and reported to
 * {@link #onRefusal}, and the bus stays with the first.
 */
public final class DtuServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DtuServer.class);
    private static final AttributeKey<String> DTU_ID = AttributeKey.valueOf("meterhub.dtuId");
    private static final AttributeKey<AtomicLong> LAST_HEARD = AttributeKey.valueOf("meterhub.lastHeardNanos");

    private final DtuSettings settings;
    private final DtuListener listener;
    private final EventLoopGroup group;
    private final Clock clock;
    private final Map<String, DtuConnection> connections = new ConcurrentHashMap<>();
    private final Stats stats = new Stats();
    private Channel serverChannel;
    /** The monotonic time a tunnel's silence is measured on; tests move it by hand to cross the heartbeat timeout. */
    private volatile LongSupplier nanoTime = System::nanoTime;

    /** Counters for status lines and tests. */
    public static final class Stats {
        public final AtomicLong accepted = new AtomicLong();
        public final AtomicLong registered = new AtomicLong();
        public final AtomicLong rejected = new AtomicLong();
        public final AtomicLong registrationTimeouts = new AtomicLong();
        public final AtomicLong replaced = new AtomicLong();
        public final AtomicLong idleClosed = new AtomicLong();
        public final AtomicLong heartbeats = new AtomicLong();
        /** Registrations with a connected DTU's id, no proof, while its tunnel still spoke: hijack attempts. */
        public final AtomicLong takeoversRefused = new AtomicLong();
        /** Registrations of a DTU that has proofs configured with none or a wrong one. */
        public final AtomicLong proofsRejected = new AtomicLong();

        /** For status lines: nothing while no registration was refused for security reasons. */
        public String refusalsText() {
            long takeovers = takeoversRefused.get();
            long proofs = proofsRejected.get();
            return takeovers + proofs == 0 ? "" : "  DTU takeovers refused " + takeovers + ", bad proofs " + proofs;
        }
    }

    /** A registration refused for security reasons: what an operator is alarmed about. */
    public record Refusal(String dtuId, java.net.SocketAddress from, String reason, java.time.Instant at) {
    }

    private volatile java.util.function.Consumer<Refusal> refusals = r -> { };

    public DtuServer(DtuSettings settings, DtuListener listener, EventLoopGroup group, Clock clock) {
        this.settings = settings;
        this.listener = listener;
        this.group = group;
        this.clock = clock;
    }

    /**
     * For tests: measures tunnels' silence on {@code source} instead of {@link System#nanoTime()}, so that a test
     * can put a tunnel past the heartbeat timeout (or keep it inside) on cue, whatever the machine's speed.
     * Call before {@link #start()}.
     */
    DtuServer measuringSilenceWith(LongSupplier source) {
        this.nanoTime = source;
        return this;
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
                        ch.attr(LAST_HEARD).set(new AtomicLong(nanoTime.getAsLong()));
                        ch.pipeline().addLast("last-heard", new LastHeard());
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

    /** Called on the event loop for every security refusal (a hijack attempt, a wrong or missing proof). */
    public DtuServer onRefusal(java.util.function.Consumer<Refusal> consumer) {
        this.refusals = java.util.Objects.requireNonNull(consumer, "consumer");
        return this;
    }

    private void onRegistered(ChannelHandlerContext ctx, DtuRegistrationDecoder.Registration registration) {
        Channel ch = ctx.channel();
        String dtuId = registration.id();
        if (!listener.configured(dtuId)) {
            stats.rejected.incrementAndGet();
            log.info("DTU {} is not configured on this gateway, closing", dtuId);
            ch.close();
            return;
        }
        java.util.Set<String> proofs = listener.proofs(dtuId);
        boolean proven = registration.proof() != null && anyEquals(proofs, registration.proof());
        if (!proofs.isEmpty() && !proven) {
            stats.proofsRejected.incrementAndGet();
            refuse(ch, dtuId, registration.proof() == null ? "no proof, and this DTU has one configured" : "wrong proof");
            return;
        }
        DtuConnection old = connections.get(dtuId);
        String replacing = null;
        if (old != null && old.channel() != ch && old.channel().isActive()) {
            Duration silent = silence(old.channel());
            if (proven) {
                replacing = "with its proof";
            } else if (silent.compareTo(settings.heartbeatTimeout()) >= 0) {
                replacing = "after " + silent.toSeconds() + " s of silence on the old tunnel";
            } else {
                stats.takeoversRefused.incrementAndGet();
                refuse(ch, dtuId, "its id is connected from " + old.remote() + ", which spoke " + silent.toMillis()
                        + " ms ago; no proof offered");
                return;
            }
        }
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
        old = connections.put(dtuId, conn);
        if (old != null && old.channel() != ch) {
            stats.replaced.incrementAndGet();
            log.info("DTU {} reconnected from {} {}: replacing its old connection", dtuId, ch.remoteAddress(),
                    replacing != null ? replacing : "after the old one closed");
            old.channel().close();
        }
        stats.registered.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            connections.remove(dtuId, conn);
            listener.disconnected(dtuId, conn);
        });
    }

    private void refuse(Channel ch, String dtuId, String reason) {
        log.warn("DTU {}: registration from {} refused: {}", dtuId, ch.remoteAddress(), reason);
        Refusal refusal = new Refusal(dtuId, ch.remoteAddress(), reason, clock.instant());
        try {
            refusals.accept(refusal); // reported before the close, so whoever sees the close can find the report
        } catch (RuntimeException e) {
            log.error("DTU {}: reporting a refused registration failed", dtuId, e);
        }
        ch.close();
    }

    /** Constant-time per candidate, so the time taken says nothing about how much of a secret was right. */
    private static boolean anyEquals(java.util.Set<String> proofs, String offered) {
        byte[] b = offered.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        boolean match = false;
        for (String p : proofs) {
            match |= java.security.MessageDigest.isEqual(p.getBytes(java.nio.charset.StandardCharsets.US_ASCII), b);
        }
        return match;
    }

    private Duration silence(Channel ch) {
        AtomicLong heard = ch.attr(LAST_HEARD).get();
        return heard == null ? Duration.ZERO : Duration.ofNanos(nanoTime.getAsLong() - heard.get());
    }

    /** How long the DTU's connected tunnel has been silent (no bytes at all, heartbeats included); empty if not connected. */
    public java.util.Optional<Duration> silence(String dtuId) {
        DtuConnection c = connections.get(dtuId);
        return c == null ? java.util.Optional.empty() : java.util.Optional.of(silence(c.channel()));
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

    /** Notes when the tunnel last carried a byte, for telling a half-open tunnel from a live one. */
    private final class LastHeard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.channel().attr(LAST_HEARD).get().set(nanoTime.getAsLong());
            ctx.fireChannelRead(msg);
        }
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
