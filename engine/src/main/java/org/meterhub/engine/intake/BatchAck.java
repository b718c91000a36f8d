package org.meterhub.engine.intake;

import java.util.Map;
import java.util.Objects;

/**
 * "Every reading of your batch (partition, first..last) is committed to the store." Only after
 * this may the gateway delete those journal entries.
 *
 * @param count    how many readings the engine handled (committed, or refused for good); the gateway
 *                 checks it against its journal
 * @param rejected readings the store refused for a reason that will not pass (constraint, bad data), by
 *                 journal sequence, with the reason: the gateway sets them aside (dead letter) instead of
 *                 deleting them; empty almost always
 */
public record BatchAck(String gatewayId, int partition, long firstSeq, long lastSeq, int count,
                       Map<Long, String> rejected) {
    public BatchAck {
        Objects.requireNonNull(gatewayId, "gatewayId");
        if (firstSeq < 1 || lastSeq < firstSeq) throw new IllegalArgumentException("bad range " + firstSeq + ".." + lastSeq);
        if (count < 1) throw new IllegalArgumentException("count must be positive");
        rejected = Map.copyOf(rejected);
        for (long seq : rejected.keySet()) {
            if (seq < firstSeq || seq > lastSeq) throw new IllegalArgumentException("rejected " + seq + " outside the range");
        }
    }

    /** Everything committed, nothing refused. */
    public BatchAck(String gatewayId, int partition, long firstSeq, long lastSeq, int count) {
        this(gatewayId, partition, firstSeq, lastSeq, count, Map.of());
    }
}
