package org.meterhub.simulators.dtu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.RtuRequestFramer;

/**
 * A 4G DTU in front of an RS-485 bus of Modbus RTU slaves (e.g. {@code evc-basic} converters): it
 * dials the gateway, registers, sends heartbeats while idle, and answers each request after the wire
 * time the line would take. Faults come from the slaves ({@link ModbusResponder}); an endless babble
 * can be switched on to test the gateway's cut-off.
 */
public final class SimulatedModbusDtu extends DialInDtu {
    private final ModbusResponder responder;
    private final WireModel wire;
    private volatile byte[] babble;

    public SimulatedModbusDtu(String id, ModbusResponder responder, WireModel wire, Duration heartbeatEvery) {
        super(id, heartbeatEvery);
        this.responder = responder;
        this.wire = wire;
    }

    /** From now on every request is answered with {@code bytes} instead of a frame. */
    public void babble(byte[] bytes) {
        this.babble = bytes.clone();
    }

    @Override
    protected void initBus(ChannelPipeline pipeline) {
        pipeline.addLast(new BusHandler());
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
                countRequest();
                byte[] flood = babble;
                if (flood != null) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(flood));
                    continue;
                }
                ModbusResponder.Reply reply = responder.answer(r);
                if (reply == null) continue;
                ByteBuf out = Unpooled.wrappedBuffer(reply.garbage(), reply.frame());
                long delay = wire.exchangeMicros(8, reply.frame().length + reply.garbage().length) + reply.extraDelayMicros();
                replyLater(ctx, out, delay);
            }
        }
    }
}
