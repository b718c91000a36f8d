package org.meterhub.gateway.poll;

import io.netty.util.concurrent.EventExecutor;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.MeterSession;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the meters of one bus, one request at a time, on the bus's event loop (no thread per
 * device). It knows only the {@link MeterSession} SPI, never a protocol.
 *
 * <p>A failed read is retried later with backoff while the other meters go on; a meter that keeps
 * failing is degraded (polled less often) and comes back by itself on its first good answer.
 *
 * <p>An on-demand read ({@link #readNow}) waits for the bus like any poll, goes before the meters
 * that are merely due, and is retried with the same backoff.
 *
 * <p>Each meter is polled at its own interval ({@link MeterEndpoint#readInterval()}, else the bus's). With
 * {@link #settlementReads} set, a meter with a settlement day whose monthly settlement register is owed
 * gets one extra request after a good poll, between the bus's other requests, retried with the same
 * backoff; if the retries are spent it is owed again after the meter's next good poll.
 */
public final class BusPoller {
    private static final Logger log = LoggerFactory.getLogger(BusPoller.class);

    private final String busId;
    private final MeterSession session;
    private final PollSettings settings;
    private final ReadingSink sink;
    private final PollStats stats;
    private final EventExecutor loop;
    private final Random random;
    private final List<MeterState> meters = new ArrayList<>();
    /** The metrics label: transport and protocol (dtu-cjt188, serial-modbus, ...), never the bus id. */
    private String kind;
    private boolean running;
    private boolean busy;
    private io.netty.util.concurrent.ScheduledFuture<?> wakeUp;
    private final List<Round> rounds = new ArrayList<>();
    private final Deque<OnDemand> onDemand = new ArrayDeque<>();
    private SettlementReads settlement;
    /** This bus's health for the gateway's status report, or null. */
    private BusHealth health;
    /** The sink refused to take readings at the last tick: polling waits (see {@link ReadingSink#accepting()}). */
    private boolean paused;

    /** How often a paused poller asks its sink again. */
    static final long PAUSE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** On-demand reads waiting per bus; more are refused as busy rather than queued without bound. */
    public static final int MAX_ON_DEMAND = 16;

    private static final class OnDemand {
        final MeterState meter;
        final CompletableFuture<Reading> result;
        int attempt;
        long notBeforeNanos;

        OnDemand(MeterState meter, CompletableFuture<Reading> result) {
            this.meter = meter;
            this.result = result;
        }
    }

    private static final class MeterState {
        final MeterEndpoint endpoint;
        long nextDueNanos;
        int attempt;
        int failedPolls;
        boolean degraded;
        boolean online;
        /** The last round this meter's answer counts for. */
        long roundSeq;
        /** The round that was current when the outstanding poll was sent. */
        long pollRound;
        /** The meter's clock at its last good reading, null when it sent none (or none yet). */
        Instant meterClock;
        /** The month whose settlement register is to be read now, or null. */
        YearMonth settlementOwed;
        int settlementAttempt;
        long settlementNotBeforeNanos;
        /** The session cannot read settlement registers (e.g. Modbus): never ask again. */
        boolean settlementUnsupported;

        MeterState(MeterEndpoint endpoint, long nextDueNanos) {
            this.endpoint = endpoint;
            this.nextDueNanos = nextDueNanos;
        }

        long intervalNanos(PollSettings settings) {
            return (endpoint.readInterval() != null ? endpoint.readInterval() : settings.interval()).toNanos();
        }
    }

    /** A request to read every meter once, e.g. the final read before shutdown. */
    private record Round(long seq, CompletableFuture<Void> done) {
    }

    private long roundSeq;

    public BusPoller(String busId, MeterSession session, List<MeterEndpoint> endpoints, PollSettings settings,
                     ReadingSink sink, PollStats stats, EventExecutor loop, long seed) {
        this.busId = busId;
        this.session = session;
        this.settings = settings;
        this.sink = sink;
        this.stats = stats;
        this.loop = loop;
        // buses are seeded with neighbouring numbers (hash codes of DTU-0001, DTU-0002, ...); java.util.Random's
        // first values for neighbouring seeds are nearly equal, which would clump the first polls together
        this.random = new Random(mix(seed));
        this.kind = session.getClass().getSimpleName().replace("Session", "").toLowerCase(java.util.Locale.ROOT);
        long now = System.nanoTime();
        for (MeterEndpoint e : endpoints) {
            // spread the first reads so that many buses appearing at once (a restart, a district
            // redialling) do not all send their first request in the same moment
            meters.add(new MeterState(e, now + randomNanos(settings.firstPollSpread())));
        }
    }

    /**
     * Reads the monthly settlement register of meters with a settlement day, keeping track in {@code reads}
     * (shared between the pollers of a gateway, so a reconnected bus knows which months are done). Call before
     * {@link #start}.
     */
    public BusPoller settlementReads(SettlementReads reads) {
        this.settlement = reads;
        return this;
    }

    /** Counts this bus's polls into its health (the console's per-bus rows). Call before {@link #start}. */
    public BusPoller health(BusHealth h) {
        this.health = h;
        return this;
    }

    /** Names the kind of bus in metrics, e.g. {@code dtu-cjt188}; by default the protocol. Call before {@link #start}. */
    public BusPoller kind(String kind) {
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        return this;
    }

    public void start() {
        loop.execute(() -> {
            running = true;
            schedule(0);
        });
    }

    public void stop() {
        loop.execute(() -> {
            running = false;
            if (wakeUp != null) wakeUp.cancel(false);
            rounds.forEach(r -> r.done().complete(null));
            rounds.clear();
            failOnDemand("polling of bus " + busId + " stopped");
        });
    }

    /**
     * Reads one meter of this bus now, between the bus's other requests (never alongside them).
     * Completes with the reading, which also goes to the sink like any other, or with a
     * {@link ReadFailure} once the retries are spent.
     */
    public CompletableFuture<Reading> readNow(String meterId) {
        CompletableFuture<Reading> result = new CompletableFuture<>();
        loop.execute(() -> {
            MeterState m = meters.stream().filter(s -> s.endpoint.meterId().equals(meterId)).findFirst().orElse(null);
            if (m == null) {
                result.completeExceptionally(new IllegalArgumentException("meter " + meterId + " is not on bus " + busId));
            } else if (!running || !session.isOpen()) {
                result.completeExceptionally(new ReadFailure(ReadFailure.Kind.CLOSED, "bus " + busId + " is not connected"));
            } else if (onDemand.size() >= MAX_ON_DEMAND) {
                result.completeExceptionally(new ReadFailure(ReadFailure.Kind.BUSY, "bus " + busId + " has "
                        + MAX_ON_DEMAND + " on-demand reads waiting"));
            } else {
                onDemand.add(new OnDemand(m, result));
                if (!busy) schedule(0);
            }
        });
        return result;
    }

    private void failOnDemand(String why) {
        for (OnDemand d : onDemand) d.result.completeExceptionally(new ReadFailure(ReadFailure.Kind.CLOSED, why));
        onDemand.clear();
    }

    /** Reads every meter of the bus once, now; completes when each has had its attempts. */
    public CompletableFuture<Void> readAllNow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (!running || !session.isOpen()) {
                done.complete(null);
                return;
            }
            long seq = ++roundSeq;
            long now = System.nanoTime();
            for (MeterState m : meters) {
                m.nextDueNanos = now;
                m.attempt = 0;
            }
            rounds.add(new Round(seq, done));
            if (!busy) schedule(0);
        });
        return done;
    }

    public int onlineMeters() {
        int n = 0;
        for (MeterState m : meters) if (m.online) n++;
        return n;
    }

    public int meterCount() {
        return meters.size();
    }

    private void schedule(long delayNanos) {
        if (!running) return;
        if (wakeUp != null) wakeUp.cancel(false);
        wakeUp = loop.schedule(this::tick, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        if (!running || busy) return;
        if (!session.isOpen()) {
            running = false;
            rounds.forEach(r -> r.done().complete(null));
            rounds.clear();
            failOnDemand("bus " + busId + " disconnected");
            return;
        }
        if (!sink.accepting()) {
            // The journal cannot keep what we would read (disk full, I/O error, full): do not read
            // and discard. Every meter keeps its register; it is read when the journal writes again.
            if (!paused) {
                paused = true;
                stats.pauses.incrementAndGet();
                log.debug("bus {}: polling paused, the journal cannot take readings", busId);
            }
            schedule(PAUSE_CHECK_NANOS);
            return;
        }
        if (paused) {
            paused = false;
            log.debug("bus {}: polling resumed", busId);
        }
        long now = System.nanoTime();
        OnDemand asked = onDemand.peekFirst();
        if (asked != null && asked.notBeforeNanos <= now) {
            pollOnDemand(asked, now);
            return;
        }
        MeterState next = null;
        for (MeterState m : meters) {
            if (next == null || m.nextDueNanos < next.nextDueNanos) next = m;
        }
        if (next == null) return;
        MeterState settle = null;
        for (MeterState m : meters) {
            if (m.settlementOwed != null && (settle == null || m.settlementNotBeforeNanos < settle.settlementNotBeforeNanos)) {
                settle = m;
            }
        }
        if (settle != null && settle.settlementNotBeforeNanos <= now) {
            readSettlement(settle);
            return;
        }
        if (next.nextDueNanos > now) {
            long due = next.nextDueNanos;
            if (asked != null && asked.notBeforeNanos < due) due = asked.notBeforeNanos;
            if (settle != null && settle.settlementNotBeforeNanos < due) due = settle.settlementNotBeforeNanos;
            schedule(due - now);
            return;
        }
        poll(next, now);
    }

    private void pollOnDemand(OnDemand d, long startNanos) {
        busy = true;
        MeterState m = d.meter;
        m.pollRound = roundSeq;
        stats.polls.incrementAndGet();
        session.read(m.endpoint).whenComplete((reading, error) -> loop.execute(() -> {
            busy = false;
            if (error == null) {
                onDemand.remove(d);
                succeeded(m, reading, startNanos);
                completeRounds();
                d.result.complete(reading);
            } else {
                Throwable cause = unwrap(error);
                stats.failedAttempts.incrementAndGet();
                boolean closed = isKind(cause, ReadFailure.Kind.CLOSED);
                if (closed || isKind(cause, ReadFailure.Kind.UNCONFIRMED) || d.attempt >= settings.retries()) {
                    onDemand.remove(d);
                    d.result.completeExceptionally(cause);
                } else {
                    d.attempt++;
                    d.notBeforeNanos = System.nanoTime() + (settings.retryBackoff().toNanos() << (d.attempt - 1));
                }
            }
            schedule(settings.interFrameDelay().toNanos());
        }));
    }

    private void poll(MeterState m, long startNanos) {
        busy = true;
        // An answer to a request sent before a round began says nothing about the meter's
        // state at that round (e.g. the final read after the clock froze), so it cannot close it.
        m.pollRound = roundSeq;
        stats.polls.incrementAndGet();
        session.read(m.endpoint).whenComplete((reading, error) -> loop.execute(() -> {
            busy = false;
            if (error == null) {
                succeeded(m, reading, startNanos);
            } else {
                failed(m, unwrap(error));
            }
            if (m.roundSeq < roundSeq && m.attempt == 0) {
                m.nextDueNanos = System.nanoTime(); // a round started while it was in flight: read it again
            }
            completeRounds();
            schedule(settings.interFrameDelay().toNanos());
        }));
    }

    private void succeeded(MeterState m, Reading reading, long startNanos) {
        long nanos = Math.max(0, System.nanoTime() - startNanos);
        stats.latencyMicros.recordValue(nanos / 1000);
        GatewayMetrics.POLL_SECONDS.labelValues(kind).observe(nanos / 1e9);
        GatewayMetrics.POLLS.labelValues(kind, "reading").inc();
        if (health != null) health.ok();
        if (m.degraded) {
            log.info("bus {}: a degraded meter answers again (meter at DEBUG)", busId);
            log.debug("bus {}: meter {} answers again", busId, m.endpoint.meterId());
        }
        m.attempt = 0;
        m.failedPolls = 0;
        m.degraded = false;
        m.online = true;
        m.roundSeq = m.pollRound;
        m.nextDueNanos = System.nanoTime() + m.intervalNanos(settings) + jitterNanos();
        stats.readings.incrementAndGet();
        sink.accept(reading);
        m.meterClock = reading.meterTime();
        owesSettlement(m);
    }

    /** After a good poll (the meter answers, its clock is known): is its settlement register owed? */
    private void owesSettlement(MeterState m) {
        if (settlement == null || m.settlementOwed != null || m.settlementUnsupported) return;
        YearMonth month = settlement.owed(m.endpoint, m.meterClock);
        if (month == null) return;
        m.settlementOwed = month;
        m.settlementAttempt = 0;
        m.settlementNotBeforeNanos = System.nanoTime();
    }

    private void readSettlement(MeterState m) {
        busy = true;
        YearMonth month = m.settlementOwed;
        session.readSettlement(m.endpoint, month).whenComplete((reading, error) -> loop.execute(() -> {
            busy = false;
            if (error == null) {
                m.settlementOwed = null;
                settlement.done(m.endpoint.meterId(), month);
                settlement.readings.incrementAndGet();
                sink.accept(reading);
            } else {
                settlementFailed(m, month, unwrap(error));
            }
            schedule(settings.interFrameDelay().toNanos());
        }));
    }

    private void settlementFailed(MeterState m, YearMonth month, Throwable error) {
        if (error instanceof UnsupportedOperationException) {
            m.settlementUnsupported = true;
            m.settlementOwed = null;
            log.warn("bus {}: a meter has a settlement day, but its protocol cannot read one: {} (meter at DEBUG)", busId,
                    error.getMessage());
            log.debug("bus {}: meter {} cannot read its settlement day", busId, m.endpoint.meterId());
            return;
        }
        settlement.failedAttempts.incrementAndGet();
        if (isKind(error, ReadFailure.Kind.CLOSED)) {
            return; // the bus is gone; the poller of its next connection asks again
        }
        if (m.settlementAttempt < settings.retries() && !isKind(error, ReadFailure.Kind.UNCONFIRMED)) {
            m.settlementAttempt++;
            m.settlementNotBeforeNanos = System.nanoTime() + (settings.retryBackoff().toNanos() << (m.settlementAttempt - 1));
            return;
        }
        settlement.failedReads.incrementAndGet();
        m.settlementOwed = null; // owed again after the meter's next good poll
        log.info("bus {}: a settlement read for {} failed after {} attempts ({}); asking again after the meter's next poll"
                + " (meter at DEBUG)", busId, month, m.settlementAttempt + 1, error.getMessage());
        log.debug("bus {}: settlement read of meter {} for {} failed", busId, m.endpoint.meterId(), month);
    }

    private void failed(MeterState m, Throwable error) {
        stats.failedAttempts.incrementAndGet();
        long now = System.nanoTime();
        if (isKind(error, ReadFailure.Kind.CLOSED)) {
            return; // the bus is gone; tick() notices and stops
        }
        if (isKind(error, ReadFailure.Kind.UNCONFIRMED)) {
            unconfirmed(m, error, now);
            return;
        }
        if (m.attempt < settings.retries()) {
            m.attempt++;
            m.nextDueNanos = now + (settings.retryBackoff().toNanos() << (m.attempt - 1));
            return;
        }
        stats.failedPolls.incrementAndGet();
        GatewayMetrics.POLLS.labelValues(kind, "failed").inc();
        if (health != null) health.failed(error);
        sink.readFailed(m.endpoint.meterId(), busId, String.valueOf(error.getMessage()));
        m.attempt = 0;
        m.online = false;
        m.failedPolls++;
        m.roundSeq = m.pollRound;
        long interval = m.intervalNanos(settings);
        if (m.failedPolls >= settings.degradeAfter()) {
            if (!m.degraded) {
                stats.degraded.incrementAndGet();
                log.info("bus {}: a meter failed {} polls in a row ({}), polling it {}x less often (meter at DEBUG)", busId,
                        m.failedPolls, error.getMessage(), settings.degradeFactor());
                log.debug("bus {}: meter {} degraded", busId, m.endpoint.meterId());
            }
            m.degraded = true;
            interval *= settings.degradeFactor();
        }
        m.nextDueNanos = now + interval + jitterNanos();
    }

    /**
     * The meter answered, but on a noisy line no two replies agreed within the confirmation reads allowed: a
     * failed poll, not retried (asking again at once is what starved the bus's other meters), and no step
     * towards degrading (the meter is there). It is asked again at its next interval.
     */
    private void unconfirmed(MeterState m, Throwable error, long now) {
        stats.failedPolls.incrementAndGet();
        stats.unconfirmed.incrementAndGet();
        if (health != null) health.failed(error);
        sink.readFailed(m.endpoint.meterId(), busId, String.valueOf(error.getMessage()));
        m.attempt = 0;
        m.roundSeq = m.pollRound;
        long interval = m.intervalNanos(settings) * (m.degraded ? settings.degradeFactor() : 1);
        m.nextDueNanos = now + interval + jitterNanos();
    }

    private static boolean isKind(Throwable error, ReadFailure.Kind kind) {
        return error instanceof ReadFailure rf && rf.kind() == kind;
    }

    private void completeRounds() {
        if (rounds.isEmpty()) return;
        rounds.removeIf(r -> {
            for (MeterState m : meters) if (m.roundSeq < r.seq()) return false;
            r.done().complete(null);
            return true;
        });
    }

    private long jitterNanos() {
        return randomNanos(settings.jitter());
    }

    private long randomNanos(java.time.Duration window) {
        long j = window.toNanos();
        return j <= 0 ? 0 : (long) (random.nextDouble() * j);
    }

    /** SplitMix64's finaliser: neighbouring seeds give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
