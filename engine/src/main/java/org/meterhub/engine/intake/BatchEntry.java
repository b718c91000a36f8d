package org.meterhub.engine.intake;

import java.util.Objects;
import org.meterhub.engine.reading.Reading;

/**
 * One journalled reading on its way to the engine.
 *
 * @param seq the gateway journal's sequence number: unique per gateway, never reused, increasing
 *            in the order readings were accepted
 */
public record BatchEntry(long seq, Reading reading) {
    public BatchEntry {
        Objects.requireNonNull(reading, "reading");
        if (seq < 1) throw new IllegalArgumentException("sequence must be positive, got " + seq);
    }
}
