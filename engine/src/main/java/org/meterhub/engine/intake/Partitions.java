package org.meterhub.engine.intake;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Which partition a meter's readings travel in: CRC-32 (IEEE, as zlib computes it) of the meter
 * id's UTF-8 bytes, modulo the partition count. Every reading of a meter therefore takes the same
 * path and reaches the one engine that owns that partition, in journal order. CRC-32 rather than
 * {@code String.hashCode} so that a gateway written in another language computes the same number.
 */
public final class Partitions {
    /** Upper bound of the partition count: topics and lease keys stay small. */
    public static final int MAX = 1024;

    private Partitions() {
    }

    public static int of(String meterId, int count) {
        check(count);
        CRC32 crc = new CRC32();
        crc.update(meterId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }

    public static int check(int count) {
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException("partitions: expected 1 to " + MAX + ", got " + count);
        }
        return count;
    }
}
