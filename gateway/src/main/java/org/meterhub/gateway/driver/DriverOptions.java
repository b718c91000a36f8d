package org.meterhub.gateway.driver;

/** Typed per-meter settings of one protocol; each driver defines its own record. */
public interface DriverOptions {
}
