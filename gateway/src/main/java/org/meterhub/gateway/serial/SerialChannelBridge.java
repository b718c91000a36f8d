package org.meterhub.gateway.serial;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts a {@link SerialLine} behind a Netty channel, so a bus protocol's pipeline (the same one a
 * DTU tunnel gets) runs unchanged on a serial port. Netty has no maintained serial transport; an
 * in-VM {@link LocalChannel} pair carries the bytes: the bus side gets the protocol handlers, the
 * line side copies to and from the port.
 */
public final class SerialChannelBridge {

    private SerialChannelBridge() {
    }

    /**
     * @param group      event loops for both ends (a {@code DefaultEventLoopGroup} or any group
     *                   that supports local channels)
     * @param busHandler installed on the bus side, typically a {@code ChannelInitializer}
     * @return the bus-side channel; closing it closes the serial line
     */
    public static Channel attach(SerialLine line, EventLoopGroup group, ChannelHandler busHandler) throws InterruptedException {
        LocalAddress address = new LocalAddress("serial:" + line.settings().port() + ":" + System.nanoTime());
        CompletableFuture<Channel> lineEnd = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        lineEnd.complete(ctx.channel());
                        ctx.fireChannelActive();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            line.write(ByteBufUtil.getBytes(buf));
                        } finally {
                            buf.release();
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        line.close();
                    }
                })
                .bind(address).sync().channel();
        Channel bus = new Bootstrap().group(group).channel(LocalChannel.class).handler(busHandler)
                .connect(address).sync().channel();
        bus.closeFuture().addListener(f -> {
            server.close();
            line.close();
        });
        // the line end becomes active asynchronously after connect; wait for it before any byte arrives
        Channel end;
        try {
            end = lineEnd.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            bus.close();
            throw new SerialLineException("could not connect the pipeline to " + line.settings().port());
        }
        line.start(bytes -> {
            if (end.isActive()) end.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        }, () -> bus.close());
        return bus;
    }
}
