package org.meterhub.gateway.bus;

/** The protocol spoken on a bus. */
public enum BusProtocol {
    CJT188,
    /** Modbus RTU frames (with CRC) through the DTU tunnel or on a serial line. */
    MODBUS_RTU
}
