package org.meterhub.gateway.cjt188;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.driver.ChannelMeterSession;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.cjt188.Cjt188Di;
import org.meterhub.protocol.cjt188.Cjt188Message;
import org.meterhub.protocol.cjt188.ErrorReply;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.cjt188.MonthlyHistory;
import org.meterhub.protocol.cjt188.ReadDataRequest;

/**
 * A CJ/T 188 bus behind one channel (a DTU tunnel or a serial line): the last handler of the
 * pipeline. Sends one request at a time and credits a reply to a meter only when type, address,
 * function and SER all match the outstanding request; anything else is counted and never credited,
 * and with {@link #quickRetry} the request is sent again (new SER) once the line is quiet instead of
 * after the timeout.
 *
 * <p>CJ/T 188's additive checksum misses two byte errors that cancel. Where the line shows noise
 * (see {@link Confirmation}), a reading is therefore only credited once a second reply agrees with
 * it: two independent corruptions that produce the same wrong value are vanishingly rare.
 *
 * <p>All state is touched on the channel's event loop only.
 */
public final class Cjt188Session extends ChannelMeterSession {
    private static final int DI_CURRENT_DATA = 0x901F;

    private final Cjt188ReadingMapper mapper;
    private final Duration timeout;
    private final Counters counters;
    private final Confirmation confirmation;
    private Pending pending;
    private int ser;
    /** Unconfirmed readings on a noisy line, by meter id; at most two per meter of the bus (current, settlement). */
    private final Map<String, Candidate> candidates = new HashMap<>();
    private long localLineErrors;
    private long lineErrorsSeen;
    private long exchangesSinceNoise = Long.MAX_VALUE;

    /**
     * When to insist on two agreeing replies.
     *
     * @param lineErrors  a running count of signs of noise on this line (bytes dropped by the frame
     *                    decoder, frames with a bad body); the session adds replies that did not match
     * @param quietExchanges exchanges without a new line error after which the line counts as clean again
     * @param turnaround  silence before the confirming request
     */
    public record Confirmation(LongSupplier lineErrors, int quietExchanges, Duration turnaround) {
        public static final int DEFAULT_QUIET_EXCHANGES = 200;
    }

    private record Candidate(Reading reading) {
    }

    /**
     * One request on the line; a resend or a confirming request is a new one (new SER).
     *
     * @param di    901F for the current register, D120 for the latest settlement register
     * @param month for D120: the month whose settlement the reply is credited to; null for 901F
     */
    private record Pending(MeterEndpoint meter, MeterAddress address, int typeCode, int ser, int di, YearMonth month,
                           CompletableFuture<Reading> result, ScheduledFuture<?> timer) {
        /** Candidates of the two kinds of read never confirm each other. */
        String candidateKey() {
            return di == DI_CURRENT_DATA ? meter.meterId() : meter.meterId() + "#settlement";
        }
    }

    /** Per-bus protocol counters; shared with status reporting. */
    public static final class Counters {
        public final AtomicLong unsolicited = new AtomicLong();
        public final AtomicLong mismatched = new AtomicLong();
        public final AtomicLong meterErrors = new AtomicLong();
        public final AtomicLong timeouts = new AtomicLong();
        /** Replies on a noisy line held back until a second reply agreed. */
        public final AtomicLong confirmationReads = new AtomicLong();
        /** Held-back replies that a second reply contradicted: the line damaged one of them. */
        public final AtomicLong disagreements = new AtomicLong();
        /** Requests sent again at once because the reply arrived damaged ({@link ChannelMeterSession.QuickRetry}). */
        public final AtomicLong quickRetries = new AtomicLong();
    }

    /** Without confirmation: every reply that passes the checks is credited at once. */
    public Cjt188Session(String busId, Cjt188ReadingMapper mapper, Duration timeout, Counters counters) {
        this(busId, mapper, timeout, counters, null);
    }

    /** @param confirmation null to credit every reply that passes the checks at once */
    public Cjt188Session(String busId, Cjt188ReadingMapper mapper, Duration timeout, Counters counters,
                         Confirmation confirmation) {
        super(busId);
        this.mapper = mapper;
        this.timeout = timeout;
        this.counters = counters;
        this.confirmation = confirmation;
    }

    /**
     * Turns on resending at once after a damaged reply (counted in {@link Counters#quickRetries}). The
     * pipeline must carry {@link #lineTap()} in front of the frame decoder. The resend carries a new SER, so
     * should the rest of a slow reply still turn up, it cannot be credited to the resend.
     */
    public Cjt188Session quickRetry(QuickRetry settings) {
        quickRetry(settings, counters.quickRetries);
        return this;
    }

    @Override
    public boolean requestOutstanding() {
        return pending != null;
    }

    @Override
    protected void start(Channel ch, MeterEndpoint meter, CompletableFuture<Reading> result) {
        send(ch, meter, DI_CURRENT_DATA, null, result);
    }

    /**
     * Reads DI D120 (the register at the latest settlement day, in the meter's DI byte order) and credits it
     * to {@code month}'s settlement instant. The reply is checked like any other: address, type, SER, and it
     * must be a D120 history reply; an error reply (C1) fails the read as {@code METER_ERROR}.
     */
    @Override
    public CompletableFuture<Reading> readSettlement(MeterEndpoint meter, YearMonth month) {
        if (!meter.hasSettlementDay()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("meter " + meter.meterId()
                    + " has no settlement day"));
        }
        return submit(meter, (ch, result) -> send(ch, meter, Cjt188Di.HISTORY_FIRST, month, result));
    }

    @Override
    protected Object exchange() {
        return pending;
    }

    @Override
    protected void resend(Channel ch, Object exchange) {
        Pending p = (Pending) exchange;
        p.timer().cancel(false);
        pending = null;
        send(ch, p.meter(), p.di(), p.month(), p.result());
    }

    @Override
    protected void abort(ReadFailure why) {
        Pending p = pending;
        if (p != null) fail(p.result(), why);
    }

    private void send(Channel ch, MeterEndpoint meter, int di, YearMonth month, CompletableFuture<Reading> result) {
        Cjt188Options options = (Cjt188Options) meter.options();
        MeterAddress address = MeterAddress.of(meter.address());
        ser = (ser + 1) & 0xFF;
        ReadDataRequest request = new ReadDataRequest(options.meterTypeCode(), address, di, ser, options.diOrder());
        ScheduledFuture<?> timer = after(ch, timeout, () -> expire(result));
        pending = new Pending(meter, address, options.meterTypeCode(), ser, di, month, result, timer);
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) fail(result, new ReadFailure(ReadFailure.Kind.CLOSED, "write failed on bus " + busId));
        });
    }

    private void expire(CompletableFuture<Reading> result) {
        if (pending != null && pending.result() == result) {
            counters.timeouts.incrementAndGet();
            fail(result, new ReadFailure(ReadFailure.Kind.TIMEOUT, "no reply within " + timeout.toMillis() + " ms"));
        }
    }

    private void fail(CompletableFuture<Reading> result, ReadFailure failure) {
        if (pending != null && pending.result() == result) {
            pending.timer().cancel(false);
            pending = null;
        }
        result.completeExceptionally(failure);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Cjt188Message message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Pending p = pending;
        if (p == null) {
            counters.unsolicited.incrementAndGet();
            return;
        }
        if (!p.address().equals(message.address()) || p.typeCode() != message.meterTypeCode()) {
            counters.mismatched.incrementAndGet();
            localLineErrors++;
            return;
        }
        if (message instanceof ErrorReply err) {
            counters.meterErrors.incrementAndGet();
            fail(p.result(), new ReadFailure(ReadFailure.Kind.METER_ERROR,
                    "meter answered with error status 0x" + Integer.toHexString(err.errorStatus())));
            return;
        }
        if (!answers(p, message)) {
            counters.mismatched.incrementAndGet();
            localLineErrors++;
            return;
        }
        pending.timer().cancel(false);
        pending = null;
        Reading reading;
        try {
            reading = message instanceof GasWaterCurrentData data ? mapper.toReading(p.meter().meterId(), data)
                    : mapper.toSettlementReading(p.meter().meterId(),
                            p.meter().settlementInstant(p.month(), mapper.zone()), (MonthlyHistory) message);
        } catch (ReadFailure e) {
            p.result().completeExceptionally(e);
            return;
        }
        if (!lineIsNoisy()) {
            p.result().complete(reading);
            return;
        }
        Candidate earlier = candidates.remove(p.candidateKey());
        // two settlement replies must be for the same settlement instant; current readings move in time
        boolean sameMoment = earlier != null && (p.di() == DI_CURRENT_DATA || earlier.reading().time().equals(reading.time()));
        if (sameMoment && agree(earlier.reading(), reading)) {
            p.result().complete(reading);
            return;
        }
        if (earlier != null) counters.disagreements.incrementAndGet();
        // hold it back and ask again; if the confirming exchange fails, the candidate waits for the retry
        candidates.put(p.candidateKey(), new Candidate(reading));
        counters.confirmationReads.incrementAndGet();
        Channel ch = ctx.channel();
        after(ch, confirmation.turnaround(), () -> {
            if (pending == null && !p.result().isDone()) send(ch, p.meter(), p.di(), p.month(), p.result());
        });
    }

    /** The reply is of the kind asked for (901F current data or the same history DI) and carries the request's SER. */
    private static boolean answers(Pending p, Cjt188Message message) {
        if (message instanceof GasWaterCurrentData data) return p.di() == DI_CURRENT_DATA && data.ser() == p.ser();
        if (message instanceof MonthlyHistory h) return h.di() == p.di() && h.ser() == p.ser();
        return false;
    }

    /** True while a line error was seen in the last {@code quietExchanges} replies on this bus. */
    private boolean lineIsNoisy() {
        if (confirmation == null) return false;
        long errors = confirmation.lineErrors().getAsLong() + localLineErrors;
        if (errors != lineErrorsSeen) {
            lineErrorsSeen = errors;
            exchangesSinceNoise = 0;
        } else if (exchangesSinceNoise < Long.MAX_VALUE) {
            exchangesSinceNoise++;
        }
        if (exchangesSinceNoise > confirmation.quietExchanges()) {
            candidates.clear();
            return false;
        }
        return true;
    }

    /**
     * Two replies describe the same meter state: same register, status and clock flags, and meter clocks
     * that moved as the gateway's did (2 s slack for the meter's second boundary, more on a sped-up clock).
     */
    static boolean agree(Reading a, Reading b) {
        if (a.volumeL() != b.volumeL() || a.statusBits() != b.statusBits() || !a.flags().equals(b.flags())) return false;
        if (a.meterTime() == null || b.meterTime() == null) return a.meterTime() == b.meterTime();
        long meterMs = Duration.between(a.meterTime(), b.meterTime()).toMillis();
        long gatewayMs = Duration.between(a.receivedAt(), b.receivedAt()).toMillis();
        return Math.abs(meterMs - gatewayMs) <= 2000 + Math.abs(gatewayMs) / 2;
    }
}
