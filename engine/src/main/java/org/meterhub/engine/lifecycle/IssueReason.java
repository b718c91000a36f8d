package org.meterhub.engine.lifecycle;

/** Why a meter is issued; the seed demands a new (never refurbished) meter for all but {@link #ROUTINE}. */
public enum IssueReason {
    ROUTINE, DISPUTE, OVERDRAFT, STOPPED_REGISTERING;

    public boolean needsNewMeter() {
        return this != ROUTINE;
    }
}
