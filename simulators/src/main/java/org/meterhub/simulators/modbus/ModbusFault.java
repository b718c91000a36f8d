package org.meterhub.simulators.modbus;

/** Faults a simulated Modbus slave or its line can show, each decided per request. */
public enum ModbusFault {
    SILENT,
    /** The answer comes after the master's timeout. */
    LATE_REPLY,
    /** One byte of the answer is changed on the wire (RTU only: Modbus TCP relies on TCP's checksum). */
    CORRUPT_BYTE,
    /** The answer carries another unit id. */
    WRONG_UNIT,
    /** Noise bytes arrive before the answer (RTU only). */
    GARBAGE_BEFORE,
    /** The device answers with exception 04 (server device failure). */
    EXCEPTION_REPLY,
    CLOCK_ZERO,
    /** The meter clock is a day behind. */
    CLOCK_WRONG,
    LOW_BATTERY
}
