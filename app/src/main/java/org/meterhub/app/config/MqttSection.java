package org.meterhub.app.config;

import java.nio.file.Path;
import org.meterhub.engine.tls.BrokerTls;

/**
 * The gateway YAML's {@code mqtt} section: how every broker connection of this process is secured
 * ({@code journal.forward-to} with {@code mqtts://}, {@code alarms.mqtt} with {@code ssl://}). See docs/security.md.
 *
 * <pre>
 * mqtt:
 *   tls:
 *     ca-file: /etc/meterhub/mqtt/ca.crt       # the CA that signed the broker's certificate
 *     cert-file: /etc/meterhub/mqtt/gw-1.crt   # this gateway's certificate (require_certificate brokers)
 *     key-file: /etc/meterhub/mqtt/gw-1.key    # its private key, readable by the gateway's user only
 * </pre>
 */
public record MqttSection(TlsSection tls) {
    public static MqttSection defaults() {
        return new MqttSection(null);
    }

    /** The TLS settings, loaded; null without a {@code tls} section. */
    public BrokerTls brokerTls() {
        return tls == null ? null : tls.load();
    }

    /** Read and checked when the file is loaded: a missing file or a key that is not one stops the start with its line. */
    public record TlsSection(String caFile, String certFile, String keyFile) {
        public TlsSection {
            load(caFile, certFile, keyFile);
        }

        BrokerTls load() {
            return load(caFile, certFile, keyFile);
        }

        private static BrokerTls load(String ca, String cert, String key) {
            return BrokerTls.load(path(ca), path(cert), path(key));
        }

        private static Path path(String p) {
            return p == null || p.isBlank() ? null : Path.of(p);
        }
    }
}
