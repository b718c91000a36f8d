package org.meterhub.gateway.driver;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.reading.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request/response meter protocol shares when it is the last handler of a bus pipeline (a
 * DTU tunnel, or a serial line behind the channel bridge): one outstanding request per bus, a read that
 * fails as {@code CLOSED} when the channel goes, a peer that floods the decoder cut off, and, when
 * turned on, a request whose reply arrived damaged sent again as soon as the line is quiet instead of
 * after the per-request timeout ({@link QuickRetry}).
 *
 * <p>A subclass says what a request is and when a reply counts. Its "exchange" is whatever identifies
 * the request now on the line (a new object for every request sent, resends included), so a quiet-line
 * check that outlived its request can tell. All state is touched on the channel's event loop only.
 */
public abstract class ChannelMeterSession extends ChannelInboundHandlerAdapter implements MeterSession {
    private static final Logger log = LoggerFactory.getLogger(ChannelMeterSession.class);

    protected final String busId;
    private volatile Channel channel;
    private QuickRetry quickRetry;
    private AtomicLong quickRetryCount = new AtomicLong();
    private ScheduledFuture<?> quietCheck;
    /** The exchange the last resend created, and how many resends led to it. */
    private Object resent;
    private int resends;

    /**
     * Resending at once when a reply arrived damaged. "Damaged" is: bytes arrived while a request was
     * open, the line then stayed quiet for {@code quiet}, and no reply that passed every check came of
     * them. That covers a bad checksum or CRC, a start byte or length hit by noise (the decoder then waits
     * for bytes that never come), and a reply from the wrong meter or to an older request.
     *
     * @param quiet      how long the line must stay quiet after the last byte before the request is sent
     *                   again, so the resend never talks over the rest of a reply: the inter-frame silence on
     *                   a serial line; longer on a DTU tunnel, where one frame may come in several TCP segments
     * @param maxPerRead resends per request; after that the read fails as {@code BAD_REPLY} and the poller's
     *                   own retries (with backoff) take over
     * @param heartbeat  bytes a DTU sends on its own when it thinks the bus idle (empty on a serial line): a
     *                   chunk of exactly these neither counts as a reply nor restarts the quiet time, else a
     *                   DTU beating faster than {@code quiet} would hold the resend off until the timeout
     */
    public record QuickRetry(Duration quiet, int maxPerRead, byte[] heartbeat) {
        public static final int DEFAULT_MAX_PER_READ = 2;

        public QuickRetry(Duration quiet, int maxPerRead) {
            this(quiet, maxPerRead, new byte[0]);
        }

        boolean isHeartbeat(Object msg) {
            if (heartbeat.length == 0 || !(msg instanceof io.netty.buffer.ByteBuf b) || b.readableBytes() != heartbeat.length) {
                return false;
            }
            for (int i = 0; i < heartbeat.length; i++) {
                if (b.getByte(b.readerIndex() + i) != heartbeat[i]) return false;
            }
            return true;
        }
    }

    protected ChannelMeterSession(String busId) {
        this.busId = busId;
    }

    /** True while a request waits for its reply; the heartbeat filter only acts when this is false. */
    public abstract boolean requestOutstanding();

    /** Starts a read on the event loop; called only when no request is outstanding. */
    protected abstract void start(Channel ch, MeterEndpoint meter, CompletableFuture<Reading> result);

    /** Fails the outstanding read, if any, with {@code why}. */
    protected abstract void abort(ReadFailure why);

    /** The request on the line now, or null when none waits for a reply. */
    protected abstract Object exchange();

    /** Drops {@code exchange} (it was answered by damage) and sends the same request again. */
    protected abstract void resend(Channel ch, Object exchange);

    /** Why {@code meter} cannot be read by this protocol, or null when it can. */
    protected RuntimeException unreadable(MeterEndpoint meter) {
        return null;
    }

    /** Called when the pipeline is cut off because a decoder gave up on a flood of bytes. */
    protected void cutOff() {
    }

    /**
     * Turns on resending at once after a damaged reply; {@code counter} counts the resends. The pipeline
     * must carry {@link #lineTap()} in front of the first decoder.
     */
    public ChannelMeterSession quickRetry(QuickRetry settings, AtomicLong counter) {
        this.quickRetry = settings;
        this.quickRetryCount = counter;
        return this;
    }

    /**
     * A pass-through handler for the head of the pipeline (in front of the decoders): after the decoders and
     * this session have seen a batch of bytes, it tells the session, which, if a request is still open,
     * waits for the line to go quiet and then asks again.
     */
    public ChannelHandler lineTap() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                QuickRetry q = quickRetry;
                boolean heartbeat = q != null && q.isHeartbeat(msg); // looked at before the decoders consume it
                ctx.fireChannelRead(msg);
                if (!heartbeat) bytesArrived(ctx.channel());
            }
        };
    }

    private void bytesArrived(Channel ch) {
        QuickRetry q = quickRetry;
        if (q == null) return;
        if (quietCheck != null) quietCheck.cancel(false);
        quietCheck = null;
        Object e = exchange();
        // a good reply was credited before the bytes got here: a clean line pays no timer
        if (e == null) return;
        quietCheck = ch.eventLoop().schedule(() -> lineQuiet(ch, e), q.quiet().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The line has been quiet since bytes arrived for {@code e} and no good reply came of them: the reply was
     * damaged, so ask again now rather than after the timeout.
     */
    private void lineQuiet(Channel ch, Object e) {
        quietCheck = null;
        if (exchange() != e) return;
        int done = e == resent ? resends : 0;
        if (done >= quickRetry.maxPerRead()) {
            abort(new ReadFailure(ReadFailure.Kind.BAD_REPLY, "bus " + busId + ": " + (done + 1)
                    + " damaged or wrong replies in a row"));
            return;
        }
        quickRetryCount.incrementAndGet();
        resend(ch, e);
        resent = exchange();
        resends = done + 1;
    }

    /** Schedules {@code task} on the channel's event loop after {@code delay}. */
    protected static ScheduledFuture<?> after(Channel ch, Duration delay, Runnable task) {
        return ch.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    protected ReadFailure closedFailure() {
        return new ReadFailure(ReadFailure.Kind.CLOSED, "bus " + busId + " disconnected");
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
        return submit(meter, (ch, result) -> start(ch, meter, result));
    }

    /**
     * Runs {@code starter} on the event loop when the channel is up, {@code meter} is one this protocol
     * can read and no request is outstanding; otherwise fails as {@code CLOSED} or {@code BUSY}. For
     * requests other than the plain read (e.g. a settlement register).
     */
    protected CompletableFuture<Reading> submit(MeterEndpoint meter,
                                                java.util.function.BiConsumer<Channel, CompletableFuture<Reading>> starter) {
        CompletableFuture<Reading> result = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            result.completeExceptionally(new ReadFailure(ReadFailure.Kind.CLOSED, "bus " + busId + " is not connected"));
            return result;
        }
        RuntimeException unreadable = unreadable(meter);
        if (unreadable != null) {
            result.completeExceptionally(unreadable);
            return result;
        }
        ch.eventLoop().execute(() -> {
            if (requestOutstanding()) {
                result.completeExceptionally(new ReadFailure(ReadFailure.Kind.BUSY, "bus " + busId + " has a request outstanding"));
                return;
            }
            starter.accept(ch, result);
        });
        return result;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        abort(closedFailure());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Decoders throw only when a peer floods bytes past the limit: cut it off, it can redial.
        cutOff();
        log.warn("bus {}: closing connection: {}", busId, cause.getMessage());
        ctx.close();
    }
}
