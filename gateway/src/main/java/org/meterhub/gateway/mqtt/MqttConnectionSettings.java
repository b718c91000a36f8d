package org.meterhub.gateway.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How one Paho client reaches the broker. The session is always persistent (clean-session false)
 * and QoS 1 is always used: the broker keeps the gateway's subscriptions and queues uplinks while
 * it is away, which is what makes a gateway restart lose nothing (see docs/mqtt.md for the broker
 * settings this relies on).
 *
 * @param serverUri      {@code tcp://host:1883}, or {@code ssl://host:8883} for TLS
 * @param clientId       must be unique per gateway instance and stable across restarts: the broker
 *                       finds the persistent session by it
 * @param username       null for anonymous
 * @param password       null when no username
 * @param trustStore     JKS/PKCS12 trust store for TLS; null uses the JVM's default trust
 * @param pemTls         PEM CA file and client certificate for TLS (replaces the trust store); null without
 * @param maxInflight    QoS 1 messages awaiting PUBACK at once, each way: publishes sent, and uplinks
 *                       received but not yet durable (the callback waits beyond it, so the broker queues)
 * @param reconnectMin   first wait after a failed connect; doubles up to {@code reconnectMax}
 */
public record MqttConnectionSettings(String serverUri, String clientId, String username, String password,
                                     Path trustStore, String trustStorePassword, Duration keepAlive,
                                     int maxInflight, Duration reconnectMin, Duration reconnectMax,
                                     org.meterhub.engine.tls.BrokerTls pemTls) {
    /** Without PEM TLS settings. */
    public MqttConnectionSettings(String serverUri, String clientId, String username, String password,
                                  Path trustStore, String trustStorePassword, Duration keepAlive,
                                  int maxInflight, Duration reconnectMin, Duration reconnectMax) {
        this(serverUri, clientId, username, password, trustStore, trustStorePassword, keepAlive, maxInflight,
                reconnectMin, reconnectMax, null);
    }

    public MqttConnectionSettings {
        Objects.requireNonNull(serverUri, "serverUri");
        Objects.requireNonNull(clientId, "clientId");
        if (!serverUri.startsWith("tcp://") && !serverUri.startsWith("ssl://")) {
            throw new IllegalArgumentException("server URI must start with tcp:// or ssl://, got " + serverUri);
        }
        if (clientId.isEmpty() || clientId.length() > 128) {
            throw new IllegalArgumentException("client id must be 1 to 128 characters");
        }
        if (pemTls != null && !serverUri.startsWith("ssl://")) {
            throw new IllegalArgumentException("TLS settings given, but the broker URI " + serverUri + " is not ssl://");
        }
        if (password != null && username == null) throw new IllegalArgumentException("password without username");
        if (maxInflight < 1 || maxInflight > 65_535) throw new IllegalArgumentException("max-inflight must be 1..65535");
        if (reconnectMin.isNegative() || reconnectMin.isZero() || reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("need 0 < reconnect-min <= reconnect-max");
        }
    }

    public static MqttConnectionSettings defaults(String serverUri, String clientId) {
        return new MqttConnectionSettings(serverUri, clientId, null, null, null, null, Duration.ofSeconds(30),
                1000, Duration.ofSeconds(1), Duration.ofMinutes(2));
    }

    public MqttConnectionSettings withCredentials(String user, String pass) {
        return new MqttConnectionSettings(serverUri, clientId, user, pass, trustStore, trustStorePassword,
                keepAlive, maxInflight, reconnectMin, reconnectMax, pemTls);
    }

    public MqttConnectionSettings withMaxInflight(int n) {
        return new MqttConnectionSettings(serverUri, clientId, username, password, trustStore, trustStorePassword,
                keepAlive, n, reconnectMin, reconnectMax, pemTls);
    }

    public MqttConnectionSettings withReconnect(Duration min, Duration max) {
        return new MqttConnectionSettings(serverUri, clientId, username, password, trustStore, trustStorePassword,
                keepAlive, maxInflight, min, max, pemTls);
    }

    public MqttConnectionSettings withTls(org.meterhub.engine.tls.BrokerTls t) {
        return new MqttConnectionSettings(serverUri, clientId, username, password, trustStore, trustStorePassword,
                keepAlive, maxInflight, reconnectMin, reconnectMax, t);
    }

    /** The same settings under another client id (a second connection of one gateway). */
    public MqttConnectionSettings withClientId(String id) {
        return new MqttConnectionSettings(serverUri, id, username, password, trustStore, trustStorePassword,
                keepAlive, maxInflight, reconnectMin, reconnectMax, pemTls);
    }

    public boolean tls() {
        return serverUri.startsWith("ssl://");
    }
}
