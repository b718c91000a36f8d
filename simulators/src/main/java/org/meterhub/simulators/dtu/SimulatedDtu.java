package org.meterhub.simulators.dtu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.protocol.cjt188.Cjt188Exception;
import org.meterhub.protocol.cjt188.Cjt188Frame;
import org.meterhub.protocol.cjt188.Cjt188FrameDecoder;
import org.meterhub.protocol.cjt188.Cjt188Frames;
import org.meterhub.protocol.cjt188.Cjt188Message;
import org.meterhub.protocol.cjt188.Cjt188Messages;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.MeterFault;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;

/**
 * A 4G DTU with an RS-485 bus of CJ/T 188 meters behind it. It dials the gateway, registers
 * with its id, sends heartbeats while idle, and answers requests the way the line would: one
 * meter talks, after the time the bytes need on the wire.
 */
public final class SimulatedDtu extends DialInDtu {
    private final Map<MeterAddress, SimulatedCjt188Meter> meters = new HashMap<>();
    private final WireModel wire;
    private final Duration lateReplyDelay;
    private final int preambleBytes;
    private final Random random;
    private final AtomicLong corrupted = new AtomicLong();
    private volatile double lineNoise;

    public SimulatedDtu(String id, List<SimulatedCjt188Meter> meters, WireModel wire, Duration heartbeatEvery,
                        long seed) {
        super(id, heartbeatEvery);
        for (SimulatedCjt188Meter m : meters) this.meters.put(m.address(), m);
        this.wire = wire;
        this.lateReplyDelay = Duration.ofSeconds(5);
        this.preambleBytes = 2;
        this.random = new Random(seed);
    }

    public List<SimulatedCjt188Meter> meters() {
        return List.copyOf(meters.values());
    }

    /**
     * Line noise on the RS-485 side: each byte, in either direction, is replaced by another value
     * with this probability (0..1). Registration and heartbeats travel over the cellular link and are spared.
     */
    public void lineNoise(double perByte) {
        if (perByte < 0 || perByte > 1) throw new IllegalArgumentException("noise must be 0..1, got " + perByte);
        this.lineNoise = perByte;
    }

    /** Bytes changed by line noise so far. */
    public long corruptedBytes() {
        return corrupted.get();
    }

    private void corrupt(byte[] b, int from, int to) {
        double p = lineNoise;
        if (p <= 0) return;
        for (int i = from; i < to; i++) {
            if (random.nextDouble() < p) {
                b[i] ^= (byte) (1 + random.nextInt(255)); // any other value
                corrupted.incrementAndGet();
            }
        }
    }

    @Override
    protected void initBus(ChannelPipeline pipeline) {
        pipeline.addLast(new RequestNoise(), new Cjt188FrameDecoder(4096), new BusHandler());
    }

    /** Noise on the request's way from the DTU to the meters. */
    private final class RequestNoise extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (lineNoise > 0 && msg instanceof ByteBuf in) {
                byte[] b = new byte[in.readableBytes()];
                in.readBytes(b);
                in.release();
                corrupt(b, 0, b.length);
                ctx.fireChannelRead(Unpooled.wrappedBuffer(b));
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class BusHandler extends SimpleChannelInboundHandler<Cjt188Frame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Cjt188Frame frame) {
            countRequest();
            Cjt188Message request;
            try {
                request = Cjt188Messages.decode(frame);
            } catch (Cjt188Exception e) {
                return; // a real meter ignores a request it cannot parse
            }
            SimulatedCjt188Meter meter = meters.get(request.address());
            if (meter == null && request.address().equals(MeterAddress.WILDCARD) && meters.size() == 1) {
                meter = meters.values().iterator().next();
            }
            if (meter == null || meter.shows(MeterFault.SILENT)) return;
            Optional<Cjt188Message> answer = meter.answer(request);
            if (answer.isEmpty()) return;
            byte[] requestBytes = Cjt188Frames.encode(frame, preambleBytes);
            byte[] reply = Cjt188Frames.encode(Cjt188Messages.encode(answer.get()), preambleBytes);
            if (meter.shows(MeterFault.CORRUPT_BYTE)) {
                int at = preambleBytes + random.nextInt(reply.length - preambleBytes);
                reply[at] ^= (byte) (1 << random.nextInt(8));
            }
            byte[] garbage = meter.shows(MeterFault.GARBAGE_BEFORE) ? noise() : new byte[0];
            long delay = wire.exchangeMicros(requestBytes.length, reply.length + garbage.length);
            if (meter.shows(MeterFault.LATE_REPLY)) delay += lateReplyDelay.toNanos() / 1000;
            byte[] wire = new byte[garbage.length + reply.length];
            System.arraycopy(garbage, 0, wire, 0, garbage.length);
            System.arraycopy(reply, 0, wire, garbage.length, reply.length);
            corrupt(wire, 0, wire.length);
            replyLater(ctx, Unpooled.wrappedBuffer(wire), delay);
        }

        private byte[] noise() {
            byte[] b = new byte[1 + random.nextInt(8)];
            random.nextBytes(b);
            return b;
        }
    }
}
