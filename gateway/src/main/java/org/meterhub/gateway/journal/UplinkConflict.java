package org.meterhub.gateway.journal;

import java.time.Instant;

/** An uplink whose seq had been taken with other content (table {@code uplink_conflicts}): kept as received. */
public record UplinkConflict(String meterId, long seq, Instant receivedAt, String payload) {
}
