package org.meterhub.gateway.cjt188;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.math.BigInteger;
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
import org.meterhub.protocol.cjt188.Unit;

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
     * When to insist on two agreeing replies, and how hard to try.
     *
     * @param lineErrors  a running count of signs of noise on this line (bytes dropped by the frame
     *                    decoder, frames with a bad body); the session adds replies that did not match
     * @param quietExchanges exchanges without a new line error after which the line counts as clean again
     * @param turnaround  silence before the confirming request
     * @param maxReads    confirmation reads per poll (its retries included): when no two successive replies
     *                    agree after this many, the read fails as {@code UNCONFIRMED} and the meter waits for its
     *                    next interval. Without a bound a meter whose register moves between reads was asked
     *                    ~1000 times in 90 s and its neighbours on the bus starved
     */
    public record Confirmation(LongSupplier lineErrors, int quietExchanges, Duration turnaround, int maxReads) {
        public static final int DEFAULT_QUIET_EXCHANGES = 200;
        public static final int DEFAULT_MAX_READS = 2;
        /**
         * A held-back reply older than this vouches for nothing: over a long time Qmax allows a large rise, so a
         * corrupted digit could pass as flow. 30 s covers a poll's retries (a G2.5 at Qmax passes 33 L in 30 s).
         */
        public static final Duration MAX_CANDIDATE_AGE = Duration.ofSeconds(30);

        public Confirmation {
            if (maxReads < 1) throw new IllegalArgumentException("confirmation reads must be at least 1, got " + maxReads);
        }

        public Confirmation(LongSupplier lineErrors, int quietExchanges, Duration turnaround) {
            this(lineErrors, quietExchanges, turnaround, DEFAULT_MAX_READS);
        }
    }

    /**
     * A reply held back until another agrees with it.
     *
     * @param atNanos       when it arrived (monotonic clock): the time the register may have moved since
     * @param confirmations confirmation reads spent so far in this poll
     * @param stepL         the register's resolution in litres (CJ/T 188: 0.01 m³ = 10 L)
     */
    private record Candidate(Reading reading, long atNanos, int confirmations, long stepL) {
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
        /** Held-back replies that the next reply contradicted: the line damaged one, or the meter moved too far. */
        public final AtomicLong disagreements = new AtomicLong();
        /** Reads given up because no two replies agreed within {@link Confirmation#maxReads()} confirmation reads. */
        public final AtomicLong unconfirmed = new AtomicLong();
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
        confirm(ctx.channel(), p, reading, message instanceof GasWaterCurrentData data ? stepLitres(data) : 1);
    }

    /**
     * On a noisy line: credits {@code reading} when it agrees with the reply held back before it, else holds it
     * back and asks again, at most {@link Confirmation#maxReads()} times per poll.
     */
    private void confirm(Channel ch, Pending p, Reading reading, long step) {
        String key = p.candidateKey();
        Candidate earlier = candidates.remove(key);
        long now = System.nanoTime();
        if (earlier != null && now - earlier.atNanos() > Confirmation.MAX_CANDIDATE_AGE.toNanos()) earlier = null;
        long qmaxLph = ((Cjt188Options) p.meter().options()).qmaxLph();
        String why = earlier == null ? "" : p.di() == DI_CURRENT_DATA
                ? disagreement(earlier.reading(), reading, now - earlier.atNanos(), qmaxLph, Math.max(step, earlier.stepL()))
                // a settlement register is frozen: two replies must carry the same register for the same instant
                : earlier.reading().time().equals(reading.time()) && agree(earlier.reading(), reading) ? null : "settlement registers differ";
        if (earlier != null && why == null) {
            p.result().complete(reading);
            return;
        }
        int spent = earlier == null ? 0 : earlier.confirmations();
        if (earlier != null) {
            counters.disagreements.incrementAndGet();
            if (spent >= confirmation.maxReads()) {
                // a meter that never agrees must not hold the bus: give this poll up, the meter waits for its interval
                counters.unconfirmed.incrementAndGet();
                p.result().completeExceptionally(new ReadFailure(ReadFailure.Kind.UNCONFIRMED, "no two replies agreed after "
                        + spent + " confirmation reads (last: " + why + ")"));
                return;
            }
        }
        // hold it back and ask again; if the confirming exchange fails, the candidate waits for the retry
        candidates.put(key, new Candidate(reading, now, spent + 1, step));
        counters.confirmationReads.incrementAndGet();
        after(ch, confirmation.turnaround(), () -> {
            if (pending == null && !p.result().isDone()) send(ch, p.meter(), p.di(), p.month(), p.result());
        });
    }

    /** One step of the register's last digit in litres (0.01 m³ = 10 L), at least 1 L. */
    static long stepLitres(GasWaterCurrentData data) {
        int scale = data.current().value().scale();
        int litreDigits = data.current().unit() == Unit.M3 ? 3 - scale : -scale;
        return litreDigits <= 0 ? 1 : litreDigits > 18 ? Long.MAX_VALUE : pow10(litreDigits);
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) v *= 10;
        return v;
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
        return a.volumeL() == b.volumeL() && a.statusBits() == b.statusBits() && a.flags().equals(b.flags())
                && clocksAgree(a, b);
    }

    /**
     * Why a later reply {@code b} does not confirm the earlier {@code a}, or null when it does. A register with
     * flow moves between two reads, so they agree when it is monotonic and rose by no more than Qmax allows in
     * the time between them plus one resolution step (a step may tick over between the reads), with the same
     * status and flags and a meter clock that moved as the gateway's did.
     */
    static String disagreement(Reading a, Reading b, long elapsedNanos, long qmaxLph, long stepL) {
        long rise = b.volumeL() - a.volumeL();
        if (rise < 0) return "register went back " + -rise + " L";
        long allowed = allowedRiseL(elapsedNanos, qmaxLph, stepL);
        if (rise > allowed) {
            return "register rose " + rise + " L in " + elapsedNanos / 1_000_000 + " ms, Qmax " + qmaxLph
                    + " L/h and one step allow " + allowed + " L";
        }
        if (a.statusBits() != b.statusBits() || !a.flags().equals(b.flags())) return "status or flags differ";
        if (!clocksAgree(a, b)) return "meter clock did not move as the gateway's";
        return null;
    }

    /** Qmax × elapsed, rounded up, plus one step; elapsed is capped at the candidate age, so nothing overflows. */
    static long allowedRiseL(long elapsedNanos, long qmaxLph, long stepL) {
        long nanos = Math.max(0, Math.min(elapsedNanos, Confirmation.MAX_CANDIDATE_AGE.toNanos()));
        BigInteger perHour = BigInteger.valueOf(3_600_000_000_000L);
        BigInteger flow = BigInteger.valueOf(qmaxLph).multiply(BigInteger.valueOf(nanos)).add(perHour)
                .subtract(BigInteger.ONE).divide(perHour);
        return flow.add(BigInteger.valueOf(stepL)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    private static boolean clocksAgree(Reading a, Reading b) {
        if (a.meterTime() == null || b.meterTime() == null) return a.meterTime() == b.meterTime();
        long meterMs = Duration.between(a.meterTime(), b.meterTime()).toMillis();
        long gatewayMs = Duration.between(a.receivedAt(), b.receivedAt()).toMillis();
        return Math.abs(meterMs - gatewayMs) <= 2000 + Math.abs(gatewayMs) / 2;
    }
}
