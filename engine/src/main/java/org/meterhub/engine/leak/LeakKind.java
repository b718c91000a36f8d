package org.meterhub.engine.leak;

/** What a leak detector saw. */
public enum LeakKind {
    /** No flow-free hour for the configured hours, each at or above the minimum flow (water). */
    CONTINUOUS_FLOW,
    /** Night-window minimum flow above the threshold for the configured nights (gas). */
    NIGHT_FLOW,
    /** Flow above Qmax or k × baseline for the configured minutes. */
    BURST
}
