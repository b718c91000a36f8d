package org.meterhub.engine.intake;

import java.time.Duration;
import java.util.Objects;

/**
 * "Not now: your batch (partition, first..last) was not committed; send it again in {@code retryIn}." The engine
 * answers so while its store is DOWN and it waits out the store's backoff, so the gateway resends when the engine
 * will try the store again instead of after its own (longer) acknowledgement timeout. Nothing is deleted on a nack:
 * the journal keeps the batch; a gateway that does not know nacks ignores them (no {@code n}, so not an ack) and
 * resends after its timeout as before.
 */
public record BatchNack(String gatewayId, int partition, long firstSeq, long lastSeq, Duration retryIn, String reason) {
    public BatchNack {
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(reason, "reason");
        if (firstSeq < 1 || lastSeq < firstSeq) throw new IllegalArgumentException("bad range " + firstSeq + ".." + lastSeq);
        if (retryIn == null || retryIn.isNegative()) throw new IllegalArgumentException("retry_ms: expected 0 or more");
    }

    /** The nack of {@code batch}. */
    public static BatchNack of(ReadingBatch batch, Duration retryIn, String reason) {
        return new BatchNack(batch.gatewayId(), batch.partition(), batch.firstSeq(), batch.lastSeq(), retryIn, reason);
    }
}
