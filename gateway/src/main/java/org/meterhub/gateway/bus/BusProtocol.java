package org.meterhub.gateway.bus;

/** The protocol spoken on a bus. */
public enum BusProtocol {
    CJT188
}
