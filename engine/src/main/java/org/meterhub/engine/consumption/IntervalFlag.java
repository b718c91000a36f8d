package org.meterhub.engine.consumption;

/** Why an interval's volume deserves a second look. */
public enum IntervalFlag {
    /** The volume was measured over a longer gap and spread over its hours by time. */
    SPREAD,
    /** The register passed its capacity and started again from zero. */
    ROLLOVER,
    /** The register went down (reverse flow or fault); the interval is zero and not billed. */
    REGISTER_DECREASE,
    /** The register reading behind it is an estimate. */
    ESTIMATED
}
