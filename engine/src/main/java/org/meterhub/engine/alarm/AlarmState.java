package org.meterhub.engine.alarm;

/** raised → acknowledged → resolved; a raised alarm may also be resolved directly. */
public enum AlarmState {
    RAISED, ACKNOWLEDGED, RESOLVED
}
