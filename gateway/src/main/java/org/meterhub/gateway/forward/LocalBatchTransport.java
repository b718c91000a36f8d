package org.meterhub.gateway.forward;

import java.util.function.Consumer;
import org.meterhub.engine.intake.BatchAck;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.intake.ReadingBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-box hand-off: the batch is committed to the engine in this process, on the forwarder's
 * thread, and acknowledged exactly as a remote engine would, so the journal semantics are the same
 * with or without a broker.
 */
public final class LocalBatchTransport implements BatchTransport {
    private static final Logger log = LoggerFactory.getLogger(LocalBatchTransport.class);

    private final BatchCommitter committer;
    private Consumer<BatchAck> acks;

    public LocalBatchTransport(BatchCommitter committer) {
        this.committer = committer;
    }

    @Override
    public void start(Consumer<BatchAck> acks) {
        this.acks = acks;
    }

    @Override
    public boolean send(ReadingBatch batch) {
        if (!committer.ready()) return false; // the store is DOWN and its backoff not over: the journal keeps the batch
        BatchAck ack;
        try {
            ack = committer.commit(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IllegalStateException e) {
            // StoreHealth has raised the alarm (once per outage); the batch stays in the journal.
            log.debug("engine did not commit a batch ({}); it stays in the journal", e.getMessage());
            return false;
        }
        acks.accept(ack);
        return true;
    }

    /** Moves on when the store's backoff begins and ends: the forwarder retries at once when the store may be back. */
    @Override
    public long epoch() {
        return committer.epoch();
    }

    @Override
    public void close() {
        committer.close();
    }
}
