package org.meterhub.engine.meter;

/** What a meter measures. */
public enum Medium {
    GAS, WATER, HEAT
}
