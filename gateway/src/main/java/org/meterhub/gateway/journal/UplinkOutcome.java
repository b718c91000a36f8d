package org.meterhub.gateway.journal;

/** What the journal made of an uplink's identity (meter + seq) when it committed it. */
public enum UplinkOutcome {
    /** First time: its readings are journalled. */
    NEW,
    /** Seen before with the same content (a redelivery): nothing written again. */
    DUPLICATE,
    /** Seen before with other content: kept in {@code uplink_conflicts}, its readings not journalled. */
    CONFLICT
}
