package org.meterhub.simulators.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * @param serverUri      broker, {@code tcp://127.0.0.1:1883}
 * @param clientIdPrefix the fleet's Paho clients are {@code <prefix>-0 .. -n}
 * @param topicPrefix    first topic level ({@code meters} in the contract)
 * @param meterBase      first meter number; meters are numbered consecutively from it
 * @param clients        Paho connections shared by all meters (meters are multiplexed on them)
 * @param reportInterval simulated time between two reports of one meter
 * @param faultPermille  meters (per thousand) that get one injected fault
 * @param initialBalanceL credit on each meter at the start, litres
 * @param lowBalanceL    below this the meter raises low_balance
 * @param maxInflight    QoS 1 publishes in flight per client
 */
public record IcFleetSettings(String serverUri, String clientIdPrefix, String topicPrefix, long meterBase, int clients,
                              Duration reportInterval, int faultPermille, long initialBalanceL, long lowBalanceL,
                              int maxInflight) {
    public IcFleetSettings {
        Objects.requireNonNull(serverUri, "serverUri");
        Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        if (clients < 1 || clients > 64) throw new IllegalArgumentException("clients must be 1..64");
        if (reportInterval.isZero() || reportInterval.isNegative()) throw new IllegalArgumentException("report interval must be positive");
        if (faultPermille < 0 || faultPermille > 1000) throw new IllegalArgumentException("fault share must be 0..1000 per mille");
        if (meterBase < 1 || String.valueOf(meterBase).length() > 19) throw new IllegalArgumentException("meter base must have 1..19 digits");
    }

    public static IcFleetSettings defaults(String serverUri, String clientIdPrefix, String topicPrefix) {
        return new IcFleetSettings(serverUri, clientIdPrefix, topicPrefix, 31_000_000_000_001L, 4, Duration.ofHours(1),
                0, 50_000, 5_000, 1000);
    }

    public IcFleetSettings withClients(int n) {
        return new IcFleetSettings(serverUri, clientIdPrefix, topicPrefix, meterBase, n, reportInterval, faultPermille,
                initialBalanceL, lowBalanceL, maxInflight);
    }

    public IcFleetSettings withFaultPermille(int permille) {
        return new IcFleetSettings(serverUri, clientIdPrefix, topicPrefix, meterBase, clients, reportInterval, permille,
                initialBalanceL, lowBalanceL, maxInflight);
    }

    public IcFleetSettings withReportInterval(Duration d) {
        return new IcFleetSettings(serverUri, clientIdPrefix, topicPrefix, meterBase, clients, d, faultPermille,
                initialBalanceL, lowBalanceL, maxInflight);
    }

    public IcFleetSettings withInitialBalanceL(long litres) {
        return new IcFleetSettings(serverUri, clientIdPrefix, topicPrefix, meterBase, clients, reportInterval, faultPermille,
                litres, lowBalanceL, maxInflight);
    }

    public IcFleetSettings withMeterBase(long base) {
        return new IcFleetSettings(serverUri, clientIdPrefix, topicPrefix, base, clients, reportInterval, faultPermille,
                initialBalanceL, lowBalanceL, maxInflight);
    }
}
