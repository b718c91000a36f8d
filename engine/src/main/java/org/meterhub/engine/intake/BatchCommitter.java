package org.meterhub.engine.intake;

import java.util.function.Supplier;
import org.meterhub.engine.ingest.IngestPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a batch through an {@link IngestPipeline} and returns its acknowledgement only once the
 * store has committed every reading of it. Shared by the MQTT intake and the single-box hand-off.
 *
 * <p>A pipeline whose store write failed has consumption state ahead of the store, so it is
 * thrown away and the next batch gets a fresh one, which rebuilds each meter's state from the
 * store's last committed reading. Replays are harmless: the store ignores a reading it holds
 * (same meter, time and source), and the consumption calculator yields nothing for a reading at
 * or before the last one it has seen.
 */
public final class BatchCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchCommitter.class);

    private final Supplier<IngestPipeline> pipelines;
    private final boolean owned;
    private IngestPipeline pipeline;

    /** Creates its pipelines itself and closes them. */
    public BatchCommitter(Supplier<IngestPipeline> pipelines) {
        this.pipelines = pipelines;
        this.owned = true;
    }

    /** Uses one pipeline owned by the caller (single box, whose status line reads its counters). */
    public static BatchCommitter using(IngestPipeline pipeline) {
        return new BatchCommitter(pipeline);
    }

    private BatchCommitter(IngestPipeline shared) {
        this.pipelines = () -> {
            throw new IllegalStateException("the shared ingest pipeline failed; the process must restart");
        };
        this.owned = false;
        this.pipeline = shared;
    }

    /**
     * @return the acknowledgement, after the commit
     * @throws IllegalStateException when the store did not commit; nothing of the batch may be acknowledged
     */
    public BatchAck commit(ReadingBatch batch) throws InterruptedException {
        if (pipeline == null) pipeline = pipelines.get();
        try {
            for (BatchEntry e : batch.entries()) pipeline.accept(e.reading());
            pipeline.flush();
            return batch.ack();
        } catch (IllegalStateException e) {
            if (owned) discard();
            throw e;
        }
    }

    /** Forgets all per-meter state: the next batch rebuilds it from the store (after taking over partitions). */
    public void reset() {
        if (owned) discard();
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
        if (owned) discard();
    }
}
