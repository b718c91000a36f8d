package org.meterhub.gateway.mqtt;

/** Valve state as an IC-card meter reports it. */
public enum Valve {
    OPEN, CLOSED
}
