package org.meterhub.engine.consumption;

/** What became of a reading in the consumption calculation. */
public enum Arrival {
    /** First reading of a meter with no earlier baseline: it only starts the count. */
    FIRST,
    /** Newer than anything seen: intervals up to it were produced. */
    IN_ORDER,
    /** A reading at a time already accepted: nothing changes. */
    DUPLICATE,
    /** Older than the latest reading: the span it falls in was corrected by a new record. */
    LATE_CORRECTED,
    /** Older than the latest reading, but no reading history is at hand: kept, not placed. */
    LATE_UNCORRECTED,
    /** Before the meter's commissioning base reading: kept, never counted. */
    BEFORE_BASELINE,
    /** After the meter was exchanged out: kept, never counted. */
    AFTER_EXCHANGE,
    /** Estimates never make consumption; the estimation records carry them. */
    NOT_MEASURED
}
