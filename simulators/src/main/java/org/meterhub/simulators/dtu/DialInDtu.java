package org.meterhub.simulators.dtu;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every simulated 4G DTU does whatever its bus carries (protocols.md §2): dial the gateway,
 * register with its id, send heartbeats while no request is outstanding, and put each reply on the
 * tunnel when the RS-485 line would have delivered it. A subclass is the bus behind it.
 */
public abstract class DialInDtu {
    private final String id;
    private final Duration heartbeatEvery;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private volatile Channel channel;
    private volatile boolean busy;

    protected DialInDtu(String id, Duration heartbeatEvery) {
        this.id = id;
        this.heartbeatEvery = heartbeatEvery;
    }

    /** The handlers behind the tunnel: the bus's framing and its devices. */
    protected abstract void initBus(ChannelPipeline pipeline);

    public String id() {
        return id;
    }

    /** Requests that reached the bus. */
    public long requests() {
        return requests.get();
    }

    /** Replies put on the tunnel. */
    public long replies() {
        return replies.get();
    }

    public boolean isConnected() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** Dials the gateway and registers; completes when the registration line is on the wire. */
    public ChannelFuture connect(EventLoopGroup group, InetSocketAddress gateway) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initBus(ch.pipeline());
                    }
                });
        return b.connect(gateway).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) return;
            Channel ch = f.channel();
            channel = ch;
            ch.writeAndFlush(Unpooled.copiedBuffer(id + "\n", StandardCharsets.US_ASCII));
            if (!heartbeatEvery.isZero()) {
                ScheduledFuture<?> beat = ch.eventLoop().scheduleAtFixedRate(() -> heartbeat(ch), heartbeatEvery.toMillis(),
                        heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
                // a DTU that redials must not keep beating for its old tunnels
                ch.closeFuture().addListener(c -> beat.cancel(false));
            }
        });
    }

    public void disconnect() {
        Channel ch = channel;
        if (ch != null) ch.close().syncUninterruptibly();
    }

    private void heartbeat(Channel ch) {
        if (ch.isActive() && !busy) {
            ch.writeAndFlush(Unpooled.copiedBuffer("HB\n", StandardCharsets.US_ASCII));
        }
    }

    /** A request reached the bus. */
    protected void countRequest() {
        requests.incrementAndGet();
    }

    /** Sends {@code reply} after {@code delayMicros} (the wire time); no heartbeat goes out meanwhile. */
    protected void replyLater(ChannelHandlerContext ctx, ByteBuf reply, long delayMicros) {
        busy = true;
        ctx.channel().eventLoop().schedule(() -> {
            busy = false;
            replies.incrementAndGet();
            ctx.writeAndFlush(reply);
        }, delayMicros, TimeUnit.MICROSECONDS);
    }
}
