package org.meterhub.engine.importing;

import java.time.Instant;
import java.util.Objects;

/**
 * An imported reading at a time the store already holds for the meter, with a different register.
 * The stored reading stays (readings are never updated); this record keeps the other value and
 * where it came from, so both registers stay visible.
 *
 * @param storedL      the register the store holds at {@code readingTime}, litres
 * @param conflictingL the register the file gave for the same time, litres
 * @param line         the file's line number (1 = the header)
 */
public record ImportConflict(String meterId, Instant readingTime, long storedL, long conflictingL, String file,
                             long line, Instant detectedAt) {
    public ImportConflict {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(readingTime, "readingTime");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(detectedAt, "detectedAt");
    }

    /** One line for people, naming both registers. */
    public String reason() {
        return "conflict: " + file + " line " + line + " gives register " + ReadingsCsv.litres(conflictingL)
                + " at " + readingTime + ", the store holds " + ReadingsCsv.litres(storedL)
                + " for that time (kept; the file's value is recorded as a conflict)";
    }
}
