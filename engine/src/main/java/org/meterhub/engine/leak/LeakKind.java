package org.meterhub.engine.leak;

/** What a leak detector saw. */
public enum LeakKind {
    /** Flow above the household's quiet level without a quiet block for the configured hours (water). */
    CONTINUOUS_FLOW,
    /** The night window's floor above the household's own usual floor by the margin, for the configured nights. */
    NIGHT_FLOW,
    /** The night floor a little above the household's median for many nights in a row: a slow rise of the minimum. */
    FLOOR_RISE,
    /**
     * Every hour for days at or above a floor well over the household's usual daily floor, the same floor met again
     * and again: a leak under a gas boiler that never leaves a quiet night (raised as {@code FLOOR_RISE}).
     */
    HOUR_FLOOR,
    /** Hours far above the meter's normal use and a share of Qmax, several in a row. */
    BURST
}
