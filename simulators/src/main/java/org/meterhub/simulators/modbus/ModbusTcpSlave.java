package org.meterhub.simulators.modbus;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.simulators.dtu.WireModel;

/**
 * Simulated converters behind a TCP port: either a Modbus TCP device (MBAP header, no CRC) or an
 * RS-485-to-Ethernet converter in transparent mode (RTU frames with CRC over the stream, and the
 * RS-485 wire time behind it).
 */
public final class ModbusTcpSlave implements AutoCloseable {
    public enum Mode { TCP, RTU_OVER_TCP }

    private final Mode mode;
    private final ModbusResponder responder;
    private final WireModel wire;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rejectedFrames = new AtomicLong();
    private Channel server;

    public ModbusTcpSlave(Mode mode, ModbusResponder responder, WireModel wire) {
        this.mode = mode;
        this.responder = responder;
        this.wire = wire;
    }

    public InetSocketAddress start(EventLoopGroup group, String host, int port) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (mode == Mode.TCP) {
                            // MBAP: transaction(2) protocol(2) length(2) then `length` bytes (unit + PDU)
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(6 + 254, 4, 2), new MbapHandler());
                        } else {
                            ch.pipeline().addLast(new RtuHandler());
                        }
                    }
                }).bind(host, port).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    public long requests() {
        return requests.get();
    }

    public long rejectedFrames() {
        return rejectedFrames.get();
    }

    @Override
    public void close() {
        if (server != null) server.close().syncUninterruptibly();
    }

    private final class MbapHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf f = (ByteBuf) msg;
            try {
                int tx = f.getUnsignedShort(0);
                int protocol = f.getUnsignedShort(2);
                if (protocol != 0 || f.readableBytes() != 12) {
                    rejectedFrames.incrementAndGet();
                    return;
                }
                ModbusRtu.ReadRequest r = new ModbusRtu.ReadRequest(f.getUnsignedByte(6), f.getUnsignedByte(7),
                        f.getUnsignedShort(8), f.getUnsignedShort(10));
                if ((r.function() != 3 && r.function() != 4) || r.count() < 1 || r.count() > 125) {
                    rejectedFrames.incrementAndGet();
                    return;
                }
                requests.incrementAndGet();
                ModbusResponder.Reply reply = responder.answer(r);
                if (reply == null) return;
                byte[] rtu = reply.frame();
                // an RTU reply minus CRC is unit + PDU, which is what follows the MBAP header
                ByteBuf out = Unpooled.buffer(6 + rtu.length - 2);
                out.writeShort(tx).writeShort(0).writeShort(rtu.length - 2).writeBytes(rtu, 0, rtu.length - 2);
                long delay = reply.extraDelayMicros() + wire.meterLatencyMicros();
                ctx.channel().eventLoop().schedule(() -> ctx.writeAndFlush(out), delay, TimeUnit.MICROSECONDS);
            } finally {
                f.release();
            }
        }
    }

    private final class RtuHandler extends ChannelInboundHandlerAdapter {
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
                ModbusResponder.Reply reply = responder.answer(r);
                if (reply == null) continue;
                ByteBuf out = Unpooled.wrappedBuffer(reply.garbage(), reply.frame());
                long delay = wire.exchangeMicros(8, reply.frame().length + reply.garbage().length) + reply.extraDelayMicros();
                ctx.channel().eventLoop().schedule(() -> ctx.writeAndFlush(out), delay, TimeUnit.MICROSECONDS);
            }
        }
    }
}
