package org.meterhub.app.mqtt;

import java.nio.file.Path;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.tls.BrokerTls;
import picocli.CommandLine.Option;

/**
 * TLS to the broker from PEM files, for the commands configured by options rather than a gateway YAML (mqtt-gateway,
 * engine-intake, mqtt-sim); the YAML's {@code mqtt.tls} section has the same three settings. See docs/security.md.
 */
public final class MqttTlsOptions {
    @Option(names = "--mqtt-ca-file", paramLabel = "FILE",
            description = "PEM CA certificate(s) the broker's certificate must chain to; makes the link TLS (ssl:// or mqtts://).")
    Path caFile;

    @Option(names = "--mqtt-cert-file", paramLabel = "FILE",
            description = "PEM client certificate, for a broker with require_certificate (with --mqtt-key-file).")
    Path certFile;

    @Option(names = "--mqtt-key-file", paramLabel = "FILE",
            description = "PEM private key of --mqtt-cert-file (PKCS#8, RSA or EC; not encrypted: protect the file).")
    Path keyFile;

    /** The loaded settings, or null when none is given; a bad file is a one-line {@link ConfigException} naming the option. */
    public BrokerTls load() {
        if (caFile == null && certFile == null && keyFile == null) return null;
        try {
            return BrokerTls.load(caFile, certFile, keyFile);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--mqtt-" + e.getMessage());
        }
    }
}
