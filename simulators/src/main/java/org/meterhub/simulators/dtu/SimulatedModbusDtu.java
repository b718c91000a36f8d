package org.meterhub.simulators.dtu;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.RtuRequestFramer;

/**
 * A 4G DTU in front of an RS-485 bus of Modbus RTU slaves (e.g. {@code evc-basic} converters): it
 * dials the gateway, registers, sends heartbeats while idle, and answers each request after the wire
 * time the line would take. Faults come from the slaves ({@link ModbusResponder}); an endless babble
 * can be switched on to test the gateway's cut-off.
 */
public final class SimulatedModbusDtu {
    private final String id;
    private final ModbusResponder responder;
    private final WireModel wire;
    private final Duration heartbeatEvery;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private volatile Channel channel;
    private volatile boolean busy;
    private volatile byte[] babble;

    public SimulatedModbusDtu(String id, ModbusResponder responder, WireModel wire, Duration heartbeatEvery) {
        this.id = id;
        this.responder = responder;
        this.wire = wire;
        this.heartbeatEvery = heartbeatEvery;
    }

    public String id() {
        return id;
    }

    public long requests() {
        return requests.get();
    }

    public long replies() {
        return replies.get();
    }

    public boolean isConnected() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** From now on every request is answered with {@code bytes} instead of a frame. */
    public void babble(byte[] bytes) {
        this.babble = bytes.clone();
    }

    public ChannelFuture connect(EventLoopGroup group, InetSocketAddress gateway) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new BusHandler());
                    }
                });
        return b.connect(gateway).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) return;
            channel = f.channel();
            channel.writeAndFlush(Unpooled.copiedBuffer(id + "\n", StandardCharsets.US_ASCII));
            if (!heartbeatEvery.isZero()) {
                channel.eventLoop().scheduleAtFixedRate(this::heartbeat, heartbeatEvery.toMillis(),
                        heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    public void disconnect() {
        Channel ch = channel;
        if (ch != null) ch.close().syncUninterruptibly();
    }

    private void heartbeat() {
        Channel ch = channel;
        if (ch != null && ch.isActive() && !busy) {
            ch.writeAndFlush(Unpooled.copiedBuffer("HB\n", StandardCharsets.US_ASCII));
        }
    }

    private final class BusHandler extends ChannelInboundHandlerAdapter {
        private final RtuRequestFramer framer = new RtuRequestFramer();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            byte[] bytes;
            try {
                bytes = ByteBufUtil.getBytes(in);
            } finally {
                in.release();
            }
            for (ModbusRtu.ReadRequest r : framer.feed(bytes)) {
                requests.incrementAndGet();
                byte[] flood = babble;
                if (flood != null) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(flood));
                    continue;
                }
                ModbusResponder.Reply reply = responder.answer(r);
                if (reply == null) continue;
                ByteBuf out = Unpooled.wrappedBuffer(reply.garbage(), reply.frame());
                long delay = wire.exchangeMicros(8, reply.frame().length + reply.garbage().length) + reply.extraDelayMicros();
                busy = true;
                ctx.channel().eventLoop().schedule(() -> {
                    busy = false;
                    replies.incrementAndGet();
                    ctx.writeAndFlush(out);
                }, delay, TimeUnit.MICROSECONDS);
            }
        }
    }
}
