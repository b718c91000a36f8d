package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.forward.JournalWiring;
import org.meterhub.simulators.mqtt.TestCertificates;

/** The gateway YAML's {@code mqtt.tls}: read and checked at load, each fault one line naming the field and its line. */
class MqttTlsConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @TempDir
    Path dir;

    private String yaml(Object ca, Object cert, Object key) {
        StringBuilder y = new StringBuilder("journal:\n  forward-to: mqtts://broker.example:8883\nmqtt:\n  tls:\n");
        if (ca != null) y.append("    ca-file: ").append(ca).append('\n');
        if (cert != null) y.append("    cert-file: ").append(cert).append('\n');
        if (key != null) y.append("    key-file: ").append(key).append('\n');
        return y.toString();
    }

    @Test
    void validFilesLoadAndMqttsMeansTls() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir, "utility");
        TestCertificates.Issued gw = ca.client("gw-1");
        TestCertificates.Issued rsa = ca.clientWithRsaKey("gw-2");
        GatewayConfig c = loader.parse("gateway.yaml", yaml(ca.caCert(), gw.cert(), gw.key()), GatewayConfig.class);
        assertThat(c.mqtt().brokerTls().clientSubject()).isEqualTo("CN=gw-1");
        assertThat(loader.parse("gateway.yaml", yaml(ca.caCert(), rsa.cert(), rsa.key()), GatewayConfig.class)
                .mqtt().brokerTls().clientSubject()).as("a traditional RSA key").isEqualTo("CN=gw-2");
        assertThat(loader.parse("gateway.yaml", yaml(ca.caCert(), null, null), GatewayConfig.class).mqtt().brokerTls()
                .clientSubject()).as("TLS without a client certificate").isNull();
        assertThat(loader.parse("gateway.yaml", "", GatewayConfig.class).mqtt().brokerTls()).isNull();
        assertThat(JournalWiring.brokerUri(c.journal().forwardTo())).isEqualTo("ssl://broker.example:8883");
        assertThat(JournalWiring.brokerUri("mqtts://broker.example")).isEqualTo("ssl://broker.example:8883");
    }

    @Test
    void missingFilesKeysThatAreNotKeysAndMismatchedPairsAreRefusedByName() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir, "utility");
        TestCertificates.Issued a = ca.client("a");
        TestCertificates.Issued b = ca.client("b");
        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(dir.resolve("nope.crt"), null, null), GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("gateway.yaml:5: mqtt.tls.ca-file: " + dir.resolve("nope.crt") + ": no such file");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(ca.caCert(), a.cert(), dir.resolve("nope.key")),
                GatewayConfig.class)).hasMessage("gateway.yaml:7: mqtt.tls.key-file: " + dir.resolve("nope.key") + ": no such file");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(ca.caCert(), a.cert(), a.cert()), GatewayConfig.class))
                .hasMessageStartingWith("gateway.yaml:7: mqtt.tls.key-file: ").hasMessageContaining("no private key");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(ca.caCert(), a.cert(), garbage), GatewayConfig.class))
                .hasMessageStartingWith("gateway.yaml:7: mqtt.tls.key-file: ").hasMessageContaining("unreadable");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(ca.caCert(), a.cert(), b.key()), GatewayConfig.class))
                .hasMessageStartingWith("gateway.yaml:7: mqtt.tls.key-file: ").hasMessageContaining("not the private key")
                .hasMessageContaining("CN=a");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(ca.caCert(), a.cert(), null), GatewayConfig.class))
                .hasMessageContaining("mqtt.tls.key-file: required with cert-file");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", yaml(a.key(), null, null), GatewayConfig.class))
                .hasMessageStartingWith("gateway.yaml:5: mqtt.tls.ca-file: ").hasMessageContaining("certificate");
    }
}
