package org.meterhub.gateway.serial;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.gateway.cjt188.Cjt188ReadingMapper;
import org.meterhub.gateway.cjt188.Cjt188Session;
import org.meterhub.gateway.driver.ChannelMeterSession;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.BusPoller;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.gateway.poll.PollStats;
import org.meterhub.gateway.poll.SettlementReads;
import org.meterhub.protocol.cjt188.Cjt188FrameDecoder;
import org.meterhub.protocol.cjt188.Cjt188FrameEncoder;
import org.meterhub.protocol.cjt188.Cjt188MessageDecoder;
import org.meterhub.protocol.cjt188.Cjt188MessageEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CJ/T 188 meters on a local RS-485 port: the same frame/message codecs and {@link Cjt188Session}
 * a DTU tunnel gets, behind a {@link SerialChannelBridge}, polled by a {@link BusPoller}.
 *
 * <p>A noisy line is not a peer that can be cut off: when the frame decoder gives up on a flood of
 * bytes without a frame, its buffer is already dropped; the flood is counted and logged, and the
 * port stays open for the meters that still answer.
 */
public final class SerialCjt188Bus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SerialCjt188Bus.class);

    private final Channel channel;
    private final Cjt188Session session;
    private final BusPoller poller;
    private final Cjt188FrameDecoder frameDecoder;
    private final AtomicLong floods;
    private final SerialLine line;

    private SerialCjt188Bus(Channel channel, Cjt188Session session, BusPoller poller, Cjt188FrameDecoder frameDecoder,
                            AtomicLong floods, SerialLine line) {
        this.line = line;
        this.channel = channel;
        this.session = session;
        this.poller = poller;
        this.frameDecoder = frameDecoder;
        this.floods = floods;
    }

    /**
     * Opens the port and starts polling {@code meters}.
     *
     * @param maxBytesWithoutFrame flood limit of the frame decoder (the DTU setting of the same name)
     * @param preambleBytes        FE bytes sent before each request
     */
    public static SerialCjt188Bus open(SerialSettings serial, List<MeterEndpoint> meters, PollSettings poll,
                                       Cjt188ReadingMapper mapper, ReadingSink sink, PollStats stats,
                                       Cjt188Session.Counters counters, EventLoopGroup group,
                                       int maxBytesWithoutFrame, int preambleBytes) throws InterruptedException {
        return open(serial, meters, poll, mapper, sink, stats, counters, group, maxBytesWithoutFrame, preambleBytes, null);
    }

    /** As above, counting the line's polls into {@code health} (null: not counted), connected while the port is open. */
    public static SerialCjt188Bus open(SerialSettings serial, List<MeterEndpoint> meters, PollSettings poll,
                                       Cjt188ReadingMapper mapper, ReadingSink sink, PollStats stats,
                                       Cjt188Session.Counters counters, EventLoopGroup group,
                                       int maxBytesWithoutFrame, int preambleBytes,
                                       org.meterhub.gateway.poll.BusHealth health) throws InterruptedException {
        String busId = "serial:" + serial.port();
        Cjt188FrameDecoder frameDecoder = new Cjt188FrameDecoder(maxBytesWithoutFrame);
        Cjt188MessageDecoder messageDecoder = new Cjt188MessageDecoder();
        // as on a DTU bus: on a line that shows noise a reading needs a second, agreeing reply
        Cjt188Session session = new Cjt188Session(busId, mapper, poll.timeout(), counters, new Cjt188Session.Confirmation(
                () -> frameDecoder.garbageBytes() + messageDecoder.messagesRejected(),
                Cjt188Session.Confirmation.DEFAULT_QUIET_EXCHANGES, poll.interFrameDelay(), poll.confirmationReads()));
        // a damaged reply is asked for again once the line is quiet, not after the timeout
        session.quickRetry(new ChannelMeterSession.QuickRetry(serial.silence(), ChannelMeterSession.QuickRetry.DEFAULT_MAX_PER_READ));
        AtomicLong floods = new AtomicLong();
        SerialLine line = SerialLine.open(serial);
        Channel ch = SerialChannelBridge.attach(line, group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast("cjt188-line-tap", session.lineTap());
                c.pipeline().addLast("cjt188-frame-decoder", frameDecoder);
                c.pipeline().addLast("cjt188-frame-encoder", new Cjt188FrameEncoder(preambleBytes));
                c.pipeline().addLast("cjt188-message-decoder", messageDecoder);
                c.pipeline().addLast("cjt188-message-encoder", new Cjt188MessageEncoder());
                c.pipeline().addLast("flood-counter", new FloodCounter(busId, floods));
                c.pipeline().addLast("cjt188-session", session);
            }
        });
        BusPoller poller = new BusPoller(busId, session, meters, poll, sink, stats, ch.eventLoop(), busId.hashCode()).kind("serial-cjt188")
                .settlementReads(new SettlementReads(mapper.clock(), mapper.zone())).health(health);
        if (health != null) health.connectedBy(ch::isActive);
        poller.start();
        return new SerialCjt188Bus(ch, session, poller, frameDecoder, floods, line);
    }

    public Cjt188Session session() {
        return session;
    }

    public BusPoller poller() {
        return poller;
    }

    /** Times the decoder gave up on a run of bytes without a valid frame. */
    public long floods() {
        return floods.get();
    }

    /** The port underneath, for its byte counters and turnaround times. */
    public SerialLine line() {
        return line;
    }

    public long garbageBytes() {
        return frameDecoder.garbageBytes();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        poller.stop();
        channel.close().syncUninterruptibly();
    }

    /** Swallows the decoder's flood signal on a serial line: counted and logged, the port stays open. */
    private static final class FloodCounter extends ChannelInboundHandlerAdapter {
        private final String busId;
        private final AtomicLong floods;

        FloodCounter(String busId, AtomicLong floods) {
            this.busId = busId;
            this.floods = floods;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable root = cause.getCause() != null ? cause.getCause() : cause;
            if (cause instanceof TooLongFrameException || root instanceof TooLongFrameException) {
                floods.incrementAndGet();
                log.warn("bus {}: {}", busId, root.getMessage());
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
