package org.meterhub.engine.intake;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine end of the link.
 *
 * @param brokerUri     {@code tcp://host:1883}
 * @param clientId      unique per engine process
 * @param partitions    must equal the gateways' setting
 * @param queueCapacity batches waiting for the intake thread; more are dropped (the gateway resends)
 * @param leaseRefresh  how often leases are renewed and taken; a dead engine's partitions move within about this
 * @param storeBackoff  longest wait after a failed commit before the next batch is tried
 * @param tls           CA and client certificate for an {@code ssl://} broker; null for the JVM's default trust
 */
public record IntakeSettings(String brokerUri, String clientId, Topics topics, int partitions, int queueCapacity,
                             Duration leaseRefresh, Duration storeBackoff, org.meterhub.engine.tls.BrokerTls tls) {
    /** Without TLS settings. */
    public IntakeSettings(String brokerUri, String clientId, Topics topics, int partitions, int queueCapacity,
                          Duration leaseRefresh, Duration storeBackoff) {
        this(brokerUri, clientId, topics, partitions, queueCapacity, leaseRefresh, storeBackoff, null);
    }

    public IntakeSettings {
        Objects.requireNonNull(brokerUri, "brokerUri");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(topics, "topics");
        Partitions.check(partitions);
        if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be positive");
        if (leaseRefresh.isNegative() || leaseRefresh.isZero()) throw new IllegalArgumentException("lease refresh must be positive");
    }

    public static IntakeSettings defaults(String brokerUri, String clientId) {
        return new IntakeSettings(brokerUri, clientId, Topics.defaults(), 16, 256, Duration.ofSeconds(2),
                Duration.ofSeconds(5));
    }

    public IntakeSettings withPartitions(int n) {
        return new IntakeSettings(brokerUri, clientId, topics, n, queueCapacity, leaseRefresh, storeBackoff, tls);
    }

    public IntakeSettings withLeaseRefresh(Duration d) {
        return new IntakeSettings(brokerUri, clientId, topics, partitions, queueCapacity, d, storeBackoff, tls);
    }

    public IntakeSettings withTls(org.meterhub.engine.tls.BrokerTls t) {
        return new IntakeSettings(brokerUri, clientId, topics, partitions, queueCapacity, leaseRefresh, storeBackoff, t);
    }
}
