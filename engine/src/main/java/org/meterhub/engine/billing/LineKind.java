package org.meterhub.engine.billing;

/** What a bill line charges (Kill Bill's typed invoice items; CC&B's calculation lines). */
public enum LineKind {
    /** Measured consumption: daily consumption of a meter in the period. */
    USAGE,
    /** An estimated volume (no reading in the window), marked as such. */
    ESTIMATE,
    /** The previous cycle's estimate against what was measured for its days once read (signed). */
    TRUE_UP,
    /** Consumption changed by a late reading's correction record (signed). */
    CORRECTION,
    /** A fixed monthly charge. */
    FIXED,
    /**
     * A re-bill by a measured meter error (an accuracy dispute, engine.accuracy): the difference
     * between the true and the metered volume of one original line, at that line's tariff version,
     * tier and price (signed). A bill run carries it forward unchanged.
     */
    ADJUSTMENT
}
