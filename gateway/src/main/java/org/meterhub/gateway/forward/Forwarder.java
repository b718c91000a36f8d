package org.meterhub.gateway.forward;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.intake.BatchAck;
import org.meterhub.engine.intake.BatchEntry;
import org.meterhub.engine.intake.BatchNack;
import org.meterhub.engine.intake.EngineReady;
import org.meterhub.engine.intake.ReadingBatch;
import org.meterhub.gateway.journal.Journal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the journal to the engine, partition by partition, and removes entries only when the
 * engine acknowledges them.
 *
 * <p>Per partition one batch is in flight at a time (the oldest {@code batchSize} entries): a
 * meter's readings therefore reach the engine in journal order, and an acknowledgement of
 * (partition, first, last) names exactly the entries of that batch. A batch without an
 * acknowledgement is sent again after {@code ackTimeout}, doubling to {@code maxBackoff}, and at
 * once after the link reconnects. Partitions proceed independently, so one slow partition does
 * not stop the others. Nothing here survives a restart, and nothing needs to: the journal holds
 * every unacknowledged entry, and the engine ignores readings it already stored.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private static final Object WAKE = new Object();

    private static final class InFlight {
        final ReadingBatch batch;
        long sentNanos;
        long epoch;
        int attempts = 1;
        /** Set by a nack: resend at this {@link System#nanoTime()} instead of after the ack timeout; 0 when none. */
        long resendAtNanos;

        InFlight(ReadingBatch batch, long sentNanos, long epoch) {
            this.batch = batch;
            this.sentNanos = sentNanos;
            this.epoch = epoch;
        }
    }

    private final Journal journal;
    private final BatchTransport transport;
    private final ForwarderSettings settings;
    private final Clock clock;
    private final int partitions;
    private final InFlight[] inFlight;
    private final long[] retryAtNanos;
    private final long[] sendBackoffMs;
    private final long[] failedEpoch;
    private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(4096);
    private final ForwarderStats stats = new ForwarderStats();
    private final Thread thread;
    private volatile boolean running = true;

    public Forwarder(Journal journal, BatchTransport transport, ForwarderSettings settings, Clock clock) {
        this.journal = journal;
        this.transport = transport;
        this.settings = settings;
        this.clock = clock;
        this.partitions = journal.settings().partitions();
        this.inFlight = new InFlight[partitions];
        this.retryAtNanos = new long[partitions];
        this.sendBackoffMs = new long[partitions];
        this.failedEpoch = new long[partitions];
        this.thread = new Thread(this::run, "gateway-forward");
        this.thread.setDaemon(true);
    }

    public Forwarder start() {
        transport.start(ack -> {
            if (!events.offer(ack)) stats.droppedAcks.incrementAndGet();
        }, nack -> {
            if (!events.offer(nack)) stats.droppedAcks.incrementAndGet();
        }, ready -> {
            if (!events.offer(ready)) stats.droppedAcks.incrementAndGet();
        });
        journal.onCommit(() -> events.offer(WAKE));
        thread.start();
        return this;
    }

    /** Whether the link to the engines is up now. */
    public boolean connected() {
        return transport.connected();
    }

    public ForwarderStats stats() {
        return stats;
    }

    /** Waits until the engine has acknowledged everything journalled so far. */
    public boolean awaitDrained(Duration maxWait) throws InterruptedException {
        journal.flush();
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (journal.stats().pending() > 0) {
            if (System.nanoTime() - deadline > 0) return false;
            events.offer(WAKE);
            Thread.sleep(20);
        }
        return true;
    }

    private void run() {
        long failureWaitMs = 0;
        long lastLogNanos = 0;
        while (running) {
            try {
                Object e = events.poll(50, TimeUnit.MILLISECONDS);
                while (e != null) {
                    if (e instanceof BatchAck ack) acknowledged(ack);
                    else if (e instanceof BatchNack nack) notNow(nack);
                    else if (e instanceof EngineReady ready) engineReady(ready);
                    e = events.poll();
                }
                for (int p = 0; p < partitions; p++) step(p);
                failureWaitMs = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The journal could not be read or written (disk full, I/O error): a state, not an end.
                // An ack that could not be recorded leaves its batch in flight: it is resent, and the
                // engine ignores readings it stored already.
                stats.journalFailures.incrementAndGet();
                long now = System.nanoTime();
                if (now - lastLogNanos > 30_000_000_000L) {
                    lastLogNanos = now;
                    log.warn("forwarder: journal failed ({}); retrying", e.getMessage());
                }
                failureWaitMs = Math.min(Math.max(100, failureWaitMs * 2), 1_000);
                try {
                    Thread.sleep(failureWaitMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void acknowledged(BatchAck ack) {
        if (!ack.gatewayId().equals(settings.gatewayId()) || ack.partition() >= partitions) {
            stats.staleAcks.incrementAndGet();
            return;
        }
        int removed = journal.acknowledge(ack.partition(), ack.firstSeq(), ack.lastSeq(), ack.rejected());
        stats.acks.incrementAndGet();
        stats.readingsAcknowledged.addAndGet(removed);
        InFlight f = inFlight[ack.partition()];
        if (f != null && f.batch.firstSeq() == ack.firstSeq() && f.batch.lastSeq() == ack.lastSeq()) {
            if (removed != ack.count() && removed != 0) {
                log.warn("partition {}: engine acknowledged {} readings of {}..{}, the journal removed {}",
                        ack.partition(), ack.count(), ack.firstSeq(), ack.lastSeq(), removed);
            }
            inFlight[ack.partition()] = null;
        } else {
            stats.staleAcks.incrementAndGet();
        }
    }

    /**
     * The engine could not commit the batch now (its store is DOWN) and says when it will try the store again: the
     * batch is resent then, not after the ack timeout, so the backlog flows as soon as the engine's backoff ends.
     */
    private void notNow(BatchNack nack) {
        if (!nack.gatewayId().equals(settings.gatewayId()) || nack.partition() < 0 || nack.partition() >= partitions) return;
        InFlight f = inFlight[nack.partition()];
        if (f == null || f.batch.firstSeq() != nack.firstSeq() || f.batch.lastSeq() != nack.lastSeq()) return;
        stats.nacks.incrementAndGet();
        long wait = Math.min(nack.retryIn().toMillis(), settings.maxBackoff().toMillis());
        f.resendAtNanos = System.nanoTime() + wait * 1_000_000L + 1; // never 0
        f.attempts = 1; // the engine is reachable: the ack timeout need not grow
    }

    /** An engine takes these partitions now: what is in flight for them may have been dropped unheard; send it now. */
    private void engineReady(EngineReady ready) {
        stats.readyAnnouncements.incrementAndGet();
        for (int p : ready.partitions()) {
            InFlight f = p >= 0 && p < partitions ? inFlight[p] : null;
            if (f == null) continue;
            f.resendAtNanos = System.nanoTime() | 1; // due at once (never 0)
            f.attempts = 1;
        }
    }

    private void step(int p) {
        long now = System.nanoTime();
        InFlight f = inFlight[p];
        if (f != null) {
            long wait = Math.min(settings.ackTimeout().toMillis() << Math.min(f.attempts - 1, 16),
                    settings.maxBackoff().toMillis());
            boolean reconnected = transport.epoch() != f.epoch;
            boolean due = f.resendAtNanos != 0 ? now - f.resendAtNanos >= 0 : now - f.sentNanos > wait * 1_000_000L;
            if (reconnected || due) {
                f.resendAtNanos = 0;
                long epoch = transport.epoch();
                if (transport.send(f.batch)) {
                    stats.resent.incrementAndGet();
                    f.attempts++;
                    f.sentNanos = now;
                    f.epoch = epoch;
                } else {
                    f.sentNanos = now; // link down: the next attempt after the same wait, or at reconnect
                    f.epoch = epoch;
                }
            }
            return;
        }
        boolean reconnected = transport.epoch() != failedEpoch[p];
        if ((now - retryAtNanos[p] < 0 && !reconnected) || journal.pendingIn(p) == 0) return;
        List<BatchEntry> entries = journal.oldest(p, settings.batchSize());
        if (entries.isEmpty()) return;
        ReadingBatch batch = ReadingBatch.of(settings.gatewayId(), p, clock.instant(), entries);
        long epoch = transport.epoch();
        if (transport.send(batch)) {
            stats.batchesSent.incrementAndGet();
            sendBackoffMs[p] = 0;
            // The local transport may have acknowledged already (its ack is queued): still in flight until handled.
            inFlight[p] = new InFlight(batch, now, epoch);
        } else {
            // Link down: try again soon (cheap, nothing leaves) and at once when it reconnects.
            sendBackoffMs[p] = Math.min(Math.max(100, sendBackoffMs[p] * 2), Math.min(5_000, settings.maxBackoff().toMillis()));
            retryAtNanos[p] = now + sendBackoffMs[p] * 1_000_000L;
            failedEpoch[p] = epoch;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
    }
}
