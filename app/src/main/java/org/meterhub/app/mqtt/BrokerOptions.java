package org.meterhub.app.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import org.meterhub.app.config.ConfigException;
import org.meterhub.gateway.mqtt.MqttConnectionSettings;
import picocli.CommandLine.Option;

/** Broker connection options shared by the MQTT commands. The password comes from the environment, never argv. */
final class BrokerOptions {
    static final String PASSWORD_ENV = "METERHUB_MQTT_PASSWORD";

    @Option(names = "--broker", defaultValue = "tcp://127.0.0.1:1883",
            description = "Broker URI, tcp://host:port or ssl://host:port (default ${DEFAULT-VALUE}).")
    String broker;

    @Option(names = "--username", description = "Broker user; the password is read from $" + PASSWORD_ENV + ".")
    String username;

    @Option(names = "--trust-store", description = "Trust store (JKS/PKCS12) for ssl:// brokers; password from $METERHUB_MQTT_TRUST_PASSWORD.")
    Path trustStore;

    @picocli.CommandLine.Mixin
    MqttTlsOptions tls = new MqttTlsOptions();

    @Option(names = "--topic-prefix", defaultValue = "meters", description = "First topic level (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    MqttConnectionSettings settings(String clientId) {
        try {
            MqttConnectionSettings s = MqttConnectionSettings.defaults(broker, clientId);
            if (username != null) s = s.withCredentials(username, System.getenv(PASSWORD_ENV));
            if (trustStore != null) {
                s = new MqttConnectionSettings(s.serverUri(), s.clientId(), s.username(), s.password(), trustStore,
                        System.getenv("METERHUB_MQTT_TRUST_PASSWORD"), s.keepAlive(), s.maxInflight(),
                        s.reconnectMin(), s.reconnectMax());
            }
            org.meterhub.engine.tls.BrokerTls pem = tls.load();
            if (pem != null) {
                if (!s.tls()) throw new ConfigException("--broker: " + broker + " is plain MQTT but --mqtt-ca-file is given; use ssl://");
                s = s.withTls(pem);
            }
            return s.withReconnect(Duration.ofSeconds(1), Duration.ofMinutes(2));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--broker/--client-id: " + e.getMessage());
        }
    }
}
