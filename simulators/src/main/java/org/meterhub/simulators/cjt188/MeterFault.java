package org.meterhub.simulators.cjt188;

/** Faults a simulated meter or its line can be told to show. */
public enum MeterFault {
    /** The meter does not answer. */
    SILENT,
    /** The answer comes after the master's timeout. */
    LATE_REPLY,
    /** One byte of the answer is changed on the wire. */
    CORRUPT_BYTE,
    /** The answer carries another meter's address. */
    WRONG_ADDRESS,
    /** Noise bytes arrive before the answer. */
    GARBAGE_BEFORE,
    /** The meter's clock reads all zeros. */
    CLOCK_ZERO,
    /** The meter's clock is a day behind. */
    CLOCK_WRONG,
    /** The meter reports a low battery. */
    LOW_BATTERY,
    /** The meter answers a settlement-history read (D120..D12B) with an error reply (C=C1). */
    HISTORY_ERROR,
    /** The meter does not answer a settlement-history read (D120..D12B); other reads are answered. */
    HISTORY_SILENT
}
