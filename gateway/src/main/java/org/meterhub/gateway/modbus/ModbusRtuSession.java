package org.meterhub.gateway.modbus;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.MeterSession;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.modbus.FieldValue;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Modbus RTU slaves behind one channel (a DTU tunnel): the last handler of the pipeline
 * {@code ModbusRtuReplyDecoder → ModbusRtuSession}. One request at a time; a profile that needs
 * several blocks reads them one after another, with the bus turnaround between them. A reply is
 * credited only when unit, function and register count match the outstanding request (the CRC was
 * checked by the decoder); anything else is counted and ignored, and the request times out.
 *
 * <p>All state is touched on the channel's event loop only.
 */
public final class ModbusRtuSession extends ChannelInboundHandlerAdapter implements MeterSession {
    private static final Logger log = LoggerFactory.getLogger(ModbusRtuSession.class);

    private final String busId;
    private final ModbusReadingMapper mapper;
    private final Duration timeout;
    private final Duration turnaround;
    private final Counters counters;
    private volatile Channel channel;
    private Pending pending;

    /** Per-gateway protocol counters, shared by every RTU bus. */
    public static final class Counters {
        public final AtomicLong transactions = new AtomicLong();
        public final AtomicLong unsolicited = new AtomicLong();
        public final AtomicLong mismatched = new AtomicLong();
        public final AtomicLong exceptionReplies = new AtomicLong();
        public final AtomicLong timeouts = new AtomicLong();
        public final AtomicLong cutOff = new AtomicLong();
    }

    /** One read of one meter: its profile's blocks, read in order. */
    private static final class Pending {
        final MeterEndpoint meter;
        final ModbusOptions options;
        final List<RegisterProfile.Block> blocks;
        final List<int[]> words = new ArrayList<>();
        final CompletableFuture<Reading> result;
        ScheduledFuture<?> timer;
        boolean awaiting;

        Pending(MeterEndpoint meter, ModbusOptions options, CompletableFuture<Reading> result) {
            this.meter = meter;
            this.options = options;
            this.blocks = options.profile().blocks();
            this.result = result;
        }

        RegisterProfile.Block current() {
            return blocks.get(words.size());
        }
    }

    /**
     * @param turnaround silence between two requests of one read (RS-485 turnaround behind the DTU)
     */
    public ModbusRtuSession(String busId, ModbusReadingMapper mapper, Duration timeout, Duration turnaround,
                            Counters counters) {
        this.busId = busId;
        this.mapper = mapper;
        this.timeout = timeout;
        this.turnaround = turnaround;
        this.counters = counters;
    }

    /** True while a read is in progress; the heartbeat filter only acts when this is false. */
    public boolean requestOutstanding() {
        return pending != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) ch.close();
    }

    @Override
    public CompletableFuture<Reading> read(MeterEndpoint meter) {
        CompletableFuture<Reading> result = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            result.completeExceptionally(new ReadFailure(ReadFailure.Kind.CLOSED, "bus " + busId + " is not connected"));
            return result;
        }
        if (!(meter.options() instanceof ModbusOptions options)) {
            result.completeExceptionally(new IllegalArgumentException("meter " + meter.meterId() + " has no Modbus options"));
            return result;
        }
        ch.eventLoop().execute(() -> {
            if (pending != null) {
                result.completeExceptionally(new ReadFailure(ReadFailure.Kind.BUSY, "bus " + busId + " has a request outstanding"));
                return;
            }
            pending = new Pending(meter, options, result);
            sendBlock(ch, pending);
        });
        return result;
    }

    private void sendBlock(Channel ch, Pending p) {
        if (pending != p) return;
        if (!ch.isActive()) {
            fail(p, new ReadFailure(ReadFailure.Kind.CLOSED, "bus " + busId + " disconnected"));
            return;
        }
        RegisterProfile.Block b = p.current();
        counters.transactions.incrementAndGet();
        p.awaiting = true;
        p.timer = ch.eventLoop().schedule(() -> expire(p), timeout.toNanos(), TimeUnit.NANOSECONDS);
        ch.writeAndFlush(new ModbusRtu.ReadRequest(p.options.unitId(), b.function(), b.address(), b.count()))
                .addListener(f -> {
                    if (!f.isSuccess()) fail(p, new ReadFailure(ReadFailure.Kind.CLOSED, "write failed on bus " + busId));
                });
    }

    private void expire(Pending p) {
        if (pending == p && p.awaiting) {
            counters.timeouts.incrementAndGet();
            fail(p, new ReadFailure(ReadFailure.Kind.TIMEOUT, "no valid reply from unit " + p.options.unitId()
                    + " within " + timeout.toMillis() + " ms"));
        }
    }

    private void fail(Pending p, ReadFailure failure) {
        if (pending == p) {
            if (p.timer != null) p.timer.cancel(false);
            pending = null;
        }
        p.result.completeExceptionally(failure);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ModbusRtuReply reply)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Pending p = pending;
        if (p == null || !p.awaiting) {
            counters.unsolicited.incrementAndGet();
            return;
        }
        RegisterProfile.Block b = p.current();
        if (reply.unit() != p.options.unitId() || reply.function() != b.function()) {
            counters.mismatched.incrementAndGet();
            return;
        }
        if (reply.isException()) {
            counters.exceptionReplies.incrementAndGet();
            fail(p, new ReadFailure(ReadFailure.Kind.METER_ERROR, "unit " + reply.unit() + " answered exception "
                    + reply.exceptionCode() + " (" + ModbusRtu.exceptionName(reply.exceptionCode()) + ")"));
            return;
        }
        if (reply.registerCount() != b.count()) {
            counters.mismatched.incrementAndGet();
            return;
        }
        p.timer.cancel(false);
        p.awaiting = false;
        p.words.add(reply.registers());
        if (p.words.size() < p.blocks.size()) {
            Channel ch = ctx.channel();
            ch.eventLoop().schedule(() -> sendBlock(ch, p), turnaround.toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        pending = null;
        try {
            Map<String, FieldValue> values = RegisterDecoder.decodeAll(p.options.profile(), p.words);
            p.result.complete(mapper.toReading(p.meter.meterId(), p.options.profile(), values));
        } catch (ReadFailure e) {
            p.result.completeExceptionally(e);
        } catch (IllegalArgumentException e) {
            p.result.completeExceptionally(new ReadFailure(ReadFailure.Kind.BAD_REPLY, e.getMessage()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Pending p = pending;
        if (p != null) fail(p, new ReadFailure(ReadFailure.Kind.CLOSED, "bus " + busId + " disconnected"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The decoder throws only when a peer floods noise past the limit: cut it off, it can redial.
        counters.cutOff.incrementAndGet();
        log.warn("bus {}: closing connection: {}", busId, cause.getMessage());
        ctx.close();
    }
}
