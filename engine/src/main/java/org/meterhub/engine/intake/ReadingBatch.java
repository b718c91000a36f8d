package org.meterhub.engine.intake;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Readings of one partition from one gateway, oldest journal sequence first. The batch holds
 * exactly the gateway's journal entries of {@code partition} with sequence in
 * [{@code firstSeq}, {@code lastSeq}], which is what lets a three-number {@link BatchAck} release
 * them from the journal.
 */
public record ReadingBatch(String gatewayId, int partition, long firstSeq, long lastSeq, Instant sentAt,
                           List<BatchEntry> entries) {
    public ReadingBatch {
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(sentAt, "sentAt");
        entries = List.copyOf(entries);
        if (entries.isEmpty()) throw new IllegalArgumentException("a batch holds at least one reading");
        if (partition < 0 || partition >= Partitions.MAX) throw new IllegalArgumentException("partition " + partition);
        long prev = 0;
        for (BatchEntry e : entries) {
            if (e.seq() <= prev) throw new IllegalArgumentException("sequences must increase: " + e.seq() + " after " + prev);
            prev = e.seq();
        }
        if (entries.get(0).seq() != firstSeq || prev != lastSeq) {
            throw new IllegalArgumentException("first/last " + firstSeq + "/" + lastSeq + " do not match the entries "
                    + entries.get(0).seq() + ".." + prev);
        }
    }

    public static ReadingBatch of(String gatewayId, int partition, Instant sentAt, List<BatchEntry> entries) {
        return new ReadingBatch(gatewayId, partition, entries.get(0).seq(), entries.get(entries.size() - 1).seq(),
                sentAt, entries);
    }

    /** The acknowledgement an engine sends once every reading of this batch is committed. */
    public BatchAck ack() {
        return new BatchAck(gatewayId, partition, firstSeq, lastSeq, entries.size());
    }
}
