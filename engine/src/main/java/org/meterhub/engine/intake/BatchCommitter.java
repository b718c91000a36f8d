package org.meterhub.engine.intake;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.StoreFailure;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.ingest.StoreRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a batch through an {@link IngestPipeline} and returns its acknowledgement only once the
 * store has committed every reading of it. Shared by the MQTT intake and the single-box hand-off
 * (single box and {@code mqtt-gateway}), so every process that writes the store rides out a store
 * outage the same way.
 *
 * <p>A pipeline whose store write failed has consumption state ahead of the store, so it is
 * thrown away and the next attempt gets a fresh one, which rebuilds each meter's state from the
 * store's last committed reading. Replays are harmless: the store ignores a reading it holds
 * (same meter, time and source), and the consumption calculator yields nothing for a reading at
 * or before the last one it has seen.
 *
 * <p><b>A store failure is a state, not an end.</b> A failure that may pass ({@link StoreFailure#TRANSIENT}:
 * the server is down or restarting, out of connections, a serialization failure) makes the store
 * DOWN ({@link StoreHealth}: one alarm) and the committer waits {@link StoreRetry} (1 s doubling to
 * 30 s by default) before it tries again; until then {@link #ready()} is false and {@link #commit}
 * refuses at once, so the journal keeps the batches and the caller does not hammer a dead server.
 * A failure that will not pass ({@link StoreFailure#PERMANENT}: a constraint, bad data) is narrowed
 * to its readings by committing the batch one reading at a time; those are named in the
 * acknowledgement's {@link BatchAck#rejected()} with their reasons (the gateway sets them aside in
 * its journal's dead-letter table) and the rest of the batch flows.
 */
public final class BatchCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchCommitter.class);

    private final Supplier<IngestPipeline> pipelines;
    private final StoreRetry retry;
    private final StoreHealth health;
    private IngestPipeline pipeline;
    private Duration backoff = Duration.ZERO;
    private long retryAtNanos = System.nanoTime();
    private volatile long waits;

    /** Creates its pipelines itself and closes them; default retry (1 s doubling to 30 s). */
    public BatchCommitter(Supplier<IngestPipeline> pipelines) {
        this(pipelines, StoreRetry.DEFAULTS, new StoreHealth("store", Clock.systemUTC()));
    }

    /**
     * @param pipelines makes a fresh pipeline (after a failure, or a change of partitions); each is closed here
     * @param retry     the wait after a failed commit
     * @param health    the store's state, raised and cleared here
     */
    public BatchCommitter(Supplier<IngestPipeline> pipelines, StoreRetry retry, StoreHealth health) {
        this.pipelines = pipelines;
        this.retry = retry;
        this.health = health;
    }

    /** False while waiting out the backoff after a failed commit: {@link #commit} would refuse at once. */
    public boolean ready() {
        return System.nanoTime() - retryAtNanos >= 0;
    }

    /** How long until the backoff after a failed commit is over (zero when {@link #ready()}). */
    public Duration retryIn() {
        return Duration.ofNanos(Math.max(0, retryAtNanos - System.nanoTime()));
    }

    /**
     * Changes when a wait after a failure begins and again when it ends, so a caller that polls
     * (the forwarder, through the local transport's epoch) tries again as soon as the backoff is over
     * instead of adding a backoff of its own.
     */
    public long epoch() {
        return 2 * waits + (ready() ? 1 : 0);
    }

    public StoreHealth health() {
        return health;
    }

    /**
     * @return the acknowledgement, after the commit (naming any readings refused for good)
     * @throws IllegalStateException when the store did not commit (or the backoff is not over);
     *                               nothing of the batch may be acknowledged
     */
    public BatchAck commit(ReadingBatch batch) throws InterruptedException {
        if (!ready()) {
            throw new IllegalStateException("store DOWN since " + health.downSince() + " (" + health.lastError()
                    + "); next attempt in " + Math.max(0, (retryAtNanos - System.nanoTime()) / 1_000_000) + " ms");
        }
        try {
            commit(batch.entries());
        } catch (RuntimeException e) {
            discard();
            if (fencedOut(e)) throw e instanceof IllegalStateException ise ? ise : new IllegalStateException(e.getMessage(), e);
            if (StoreFailure.of(e) == StoreFailure.TRANSIENT) throw waitAfter(e);
            log.warn("partition {} batch {}..{} refused by the store ({}); committing its readings one at a time"
                    + " to set aside only those the store will not take", batch.partition(), batch.firstSeq(),
                    batch.lastSeq(), StoreFailure.reason(e));
            return oneByOne(batch);
        }
        committed();
        return batch.ack();
    }

    private void commit(List<BatchEntry> entries) throws InterruptedException {
        if (pipeline == null) pipeline = pipelines.get(); // may fail too when the store is down (rule records)
        for (BatchEntry e : MeterTimeOrder.of(entries)) pipeline.accept(e.reading());
        pipeline.flush();
    }

    private BatchAck oneByOne(ReadingBatch batch) throws InterruptedException {
        Map<Long, String> rejected = new LinkedHashMap<>();
        for (BatchEntry e : batch.entries()) {
            try {
                commit(List.of(e));
            } catch (RuntimeException failure) {
                discard(); // its state is ahead of the store; the next reading rebuilds from the store
                if (fencedOut(failure)) {
                    throw failure instanceof IllegalStateException ise ? ise : new IllegalStateException(failure.getMessage(), failure);
                }
                if (StoreFailure.of(failure) == StoreFailure.TRANSIENT) throw waitAfter(failure);
                String reason = StoreFailure.reason(failure);
                rejected.put(e.seq(), reason);
                // The store's message may quote the row (its meter): only the journal's sequence number above DEBUG.
                log.warn("store refused reading {} for good; its reason goes back with the acknowledgement"
                        + " (meter and reason at DEBUG)", e.seq());
                log.debug("store refused reading {} of meter {} at {} for good: {}", e.seq(), e.reading().meterId(),
                        e.reading().time(), reason);
            }
        }
        committed();
        health.rejected(rejected.size());
        BatchAck all = batch.ack();
        return new BatchAck(all.gatewayId(), all.partition(), all.firstSeq(), all.lastSeq(), all.count(), rejected);
    }

    /** Another engine took the partition: not a store fault, no backoff (the intake refreshes its leases). */
    private static boolean fencedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.meterhub.engine.store.FencedOutException) return true;
        }
        return false;
    }

    private IllegalStateException waitAfter(RuntimeException e) {
        backoff = retry.next(backoff);
        retryAtNanos = System.nanoTime() + backoff.toNanos();
        waits++;
        health.failed(e, backoff);
        return e instanceof IllegalStateException ise ? ise : new IllegalStateException(e.getMessage(), e);
    }

    private void committed() {
        backoff = Duration.ZERO;
        health.committed();
    }

    /** Forgets all per-meter state: the next batch rebuilds it from the store (after taking over partitions). */
    public void reset() {
        discard();
    }

    private void discard() {
        IngestPipeline p = pipeline;
        pipeline = null;
        if (p == null) return;
        try {
            p.close();
        } catch (IllegalStateException e) {
            log.debug("discarded ingest pipeline: {}", e.getMessage());
        }
    }

    /** The current pipeline's counters, or null before the first batch. */
    public IngestPipeline pipeline() {
        return pipeline;
    }

    @Override
    public void close() {
        discard();
    }
}
