package org.meterhub.engine.gateways;

import java.time.Instant;
import java.util.Objects;

/**
 * What a gateway last reported about itself: its DTUs, its buses' polls and its journal's backlog.
 * Counters run from the gateway process's start, so a restart resets them (the page shows when it
 * reported; the history is in the gateway's /metrics).
 *
 * @param dtusConfigured  DTU buses in the gateway's file
 * @param pollsOk         polls that produced a reading, every kind of bus
 * @param pollsFailed     polls that failed after their retries
 * @param journalBacklog  readings journalled and not yet acknowledged by the engine's store
 * @param journalLevel    the journal's fill level: OK, NEARLY_FULL or FULL
 */
public record GatewayStatus(String gatewayId, Instant reportedAt, int dtusConnected, int dtusConfigured,
                            int metersOnline, int metersConfigured, long pollsOk, long pollsFailed,
                            long journalBacklog, String journalLevel) {
    public GatewayStatus {
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(reportedAt, "reportedAt");
        Objects.requireNonNull(journalLevel, "journalLevel");
        if (dtusConnected < 0 || dtusConfigured < 0 || metersOnline < 0 || metersConfigured < 0 || pollsOk < 0
                || pollsFailed < 0 || journalBacklog < 0) {
            throw new IllegalArgumentException("gateway " + gatewayId + ": counts cannot be negative");
        }
    }
}
