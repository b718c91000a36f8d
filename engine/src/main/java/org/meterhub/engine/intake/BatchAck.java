package org.meterhub.engine.intake;

import java.util.Objects;

/**
 * "Every reading of your batch (partition, first..last) is committed to the store." Only after
 * this may the gateway delete those journal entries.
 *
 * @param count how many readings the engine committed; the gateway checks it against its journal
 */
public record BatchAck(String gatewayId, int partition, long firstSeq, long lastSeq, int count) {
    public BatchAck {
        Objects.requireNonNull(gatewayId, "gatewayId");
        if (firstSeq < 1 || lastSeq < firstSeq) throw new IllegalArgumentException("bad range " + firstSeq + ".." + lastSeq);
        if (count < 1) throw new IllegalArgumentException("count must be positive");
    }
}
