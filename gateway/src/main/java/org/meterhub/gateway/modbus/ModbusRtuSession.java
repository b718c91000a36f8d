package org.meterhub.gateway.modbus;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.driver.ChannelMeterSession;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.modbus.FieldValue;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterProfile;

/**
 * Modbus RTU slaves behind one channel (a DTU tunnel): the last handler of the pipeline
 * {@code ModbusRtuReplyDecoder → ModbusRtuSession}. One request at a time; a profile that needs
 * several blocks reads them one after another, with the bus turnaround between them. A reply is
 * credited only when unit, function and register count match the outstanding request (the CRC was
 * checked by the decoder); anything else is counted and never credited, and the block is asked for again
 * once the tunnel is quiet ({@link ChannelMeterSession.QuickRetry}) or, without that, times out.
 *
 * <p>All state is touched on the channel's event loop only.
 */
public final class ModbusRtuSession extends ChannelMeterSession {
    private final ModbusReadingMapper mapper;
    private final Duration timeout;
    private final Duration turnaround;
    private final Counters counters;
    private Pending pending;

    /** Per-gateway protocol counters, shared by every RTU bus. */
    public static final class Counters {
        public final AtomicLong transactions = new AtomicLong();
        public final AtomicLong unsolicited = new AtomicLong();
        public final AtomicLong mismatched = new AtomicLong();
        public final AtomicLong exceptionReplies = new AtomicLong();
        public final AtomicLong timeouts = new AtomicLong();
        public final AtomicLong cutOff = new AtomicLong();
        /** Requests sent again at once because the reply arrived damaged ({@link ChannelMeterSession.QuickRetry}). */
        public final AtomicLong quickRetries = new AtomicLong();
    }

    /** One read of one meter: its profile's blocks, read in order. */
    private static final class Pending {
        final MeterEndpoint meter;
        final ModbusOptions options;
        final List<RegisterProfile.Block> blocks;
        final List<int[]> words = new ArrayList<>();
        final CompletableFuture<Reading> result;
        /** A new one for every request sent, so it also tells one request of this read from the next. */
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
        super(busId);
        this.mapper = mapper;
        this.timeout = timeout;
        this.turnaround = turnaround;
        this.counters = counters;
    }

    /** Turns on resending a block at once after a damaged reply (counted in {@link Counters#quickRetries}). */
    public ModbusRtuSession quickRetry(QuickRetry settings) {
        quickRetry(settings, counters.quickRetries);
        return this;
    }

    /** True while a read is in progress; the heartbeat filter only acts when this is false. */
    @Override
    public boolean requestOutstanding() {
        return pending != null;
    }

    @Override
    protected RuntimeException unreadable(MeterEndpoint meter) {
        return meter.options() instanceof ModbusOptions ? null
                : new IllegalArgumentException("meter " + meter.meterId() + " has no Modbus options");
    }

    @Override
    protected void start(Channel ch, MeterEndpoint meter, CompletableFuture<Reading> result) {
        pending = new Pending(meter, (ModbusOptions) meter.options(), result);
        sendBlock(ch, pending);
    }

    @Override
    protected Object exchange() {
        Pending p = pending;
        return p != null && p.awaiting ? p.timer : null;
    }

    @Override
    protected void resend(Channel ch, Object exchange) {
        Pending p = pending;
        p.timer.cancel(false);
        p.awaiting = false;
        sendBlock(ch, p);
    }

    @Override
    protected void abort(ReadFailure why) {
        Pending p = pending;
        if (p != null) fail(p, why);
    }

    @Override
    protected void cutOff() {
        counters.cutOff.incrementAndGet();
    }

    private void sendBlock(Channel ch, Pending p) {
        if (pending != p) return;
        if (!ch.isActive()) {
            fail(p, closedFailure());
            return;
        }
        RegisterProfile.Block b = p.current();
        counters.transactions.incrementAndGet();
        p.awaiting = true;
        p.timer = after(ch, timeout, () -> expire(p));
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
            after(ch, turnaround, () -> sendBlock(ch, p));
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
}
