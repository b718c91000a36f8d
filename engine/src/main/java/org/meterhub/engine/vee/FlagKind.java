package org.meterhub.engine.vee;

/** What validation found wrong with a reading. A flag never changes the reading's value. */
public enum FlagKind {
    /** More volume since the previous reading than the meter can pass: Qmax × interval. */
    SPIKE,
    /** No consumption for the configured days on a supplied meter that used gas before. */
    STUCK_REGISTER,
    /** The meter's clock is invalid or too far from the gateway's. */
    CLOCK_SKEW,
    /** The register jumped by a power of ten: the meter or driver reports another unit. */
    UNIT_MISMATCH,
    /** The register went down on a meter that is not meant to run backwards. */
    REVERSE_FLOW,
    /** The meter itself reports a fault (valve fault, low battery, ...). */
    METER_FAULT,
    /**
     * An electronic volume converter's base volume differs from Vm·(p/pb)·(Tb/T) recomputed from its own
     * line volume, pressure and temperature by more than the tolerance ({@code engine.evc}).
     */
    CONVERSION_ERROR
}
