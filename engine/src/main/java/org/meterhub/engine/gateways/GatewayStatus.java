package org.meterhub.engine.gateways;

import java.time.Instant;
import java.util.List;
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
 * @param buses           each bus's health (polls in the last window, last success and error), in the gateway's order
 */
public record GatewayStatus(String gatewayId, Instant reportedAt, int dtusConnected, int dtusConfigured,
                            int metersOnline, int metersConfigured, long pollsOk, long pollsFailed,
                            long journalBacklog, String journalLevel, List<BusStatus> buses) {
    /** At most this many buses in one report (a gateway's file names its buses; this is far beyond any box's). */
    public static final int MAX_BUSES = 2000;

    /** Without per-bus health (a gateway before V18 reported none). */
    public GatewayStatus(String gatewayId, Instant reportedAt, int dtusConnected, int dtusConfigured,
                         int metersOnline, int metersConfigured, long pollsOk, long pollsFailed,
                         long journalBacklog, String journalLevel) {
        this(gatewayId, reportedAt, dtusConnected, dtusConfigured, metersOnline, metersConfigured, pollsOk, pollsFailed,
                journalBacklog, journalLevel, List.of());
    }

    public GatewayStatus {
        buses = buses == null ? List.of() : List.copyOf(buses);
        if (buses.size() > MAX_BUSES) throw new IllegalArgumentException("gateway " + gatewayId + ": more than " + MAX_BUSES + " buses");
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(reportedAt, "reportedAt");
        Objects.requireNonNull(journalLevel, "journalLevel");
        if (dtusConnected < 0 || dtusConfigured < 0 || metersOnline < 0 || metersConfigured < 0 || pollsOk < 0
                || pollsFailed < 0 || journalBacklog < 0) {
            throw new IllegalArgumentException("gateway " + gatewayId + ": counts cannot be negative");
        }
    }
}
