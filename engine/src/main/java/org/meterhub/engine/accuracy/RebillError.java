package org.meterhub.engine.accuracy;

/** Which of a failed test's errors re-bills the disputed months (a setting). */
public enum RebillError {
    /** The error of the worst point, the one the verdict names (default). */
    WORST_POINT,
    /** The mean error of the points in Qt ≤ Q ≤ Qmax, where a household meter runs most of its volume. */
    UPPER_ZONE_MEAN
}
