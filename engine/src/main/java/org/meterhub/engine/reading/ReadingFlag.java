package org.meterhub.engine.reading;

/** Facts about a reading that validation and billing must see. Flags never change the value. */
public enum ReadingFlag {
    /** The meter's clock was all zeros or not a valid date; time is the receive time. */
    CLOCK_INVALID,
    /** The meter's clock differed from the gateway clock by more than the allowed skew. */
    CLOCK_SKEW,
    VALVE_CLOSED,
    VALVE_FAULT,
    LOW_BATTERY,
    /** Produced by estimation, not by a meter. */
    ESTIMATED,
    /** Arrived after a later reading of the same meter had been processed. */
    LATE,
    /**
     * The register the meter itself stored at its monthly settlement day (CJ/T 188 D120); the reading's
     * time is the settlement instant, not the time it was read.
     */
    SETTLEMENT,
    /**
     * The register came as a float (Modbus float32/float64 volume) beyond the range in which it tells one step of
     * its declared resolution from the next: the volume is the nearest step, not an exact register.
     */
    PRECISION_LOSS
}
