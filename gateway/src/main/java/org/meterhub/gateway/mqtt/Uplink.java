package org.meterhub.gateway.mqtt;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One validated message from {@code meters/{meter}/up}.
 *
 * @param seq        the meter's message counter, or -1 when the meter sent none
 * @param volumeL    cumulative register in litres, exact (volume_m3 has at most 3 decimals)
 * @param balanceM3  remaining credit of a volume meter, or null
 * @param balanceCny remaining credit of a money meter, or null
 * @param valve      null when not reported
 * @param batteryV   null when not reported; kept as the decimal the meter sent
 * @param unknownAlarms alarm names outside the contract, kept for counting
 */
public record Uplink(String meterId, long seq, Instant ts, long volumeL, BigDecimal balanceM3,
                     BigDecimal balanceCny, Valve valve, Set<AlarmKind> alarms, BigDecimal batteryV,
                     int unknownAlarms) {
    public Uplink {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(ts, "ts");
        alarms = Set.copyOf(alarms);
    }

    public boolean hasSeq() {
        return seq >= 0;
    }
}
