package org.meterhub.app.forward;

import java.nio.file.Path;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.intake.Topics;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.journal.JournalSettings;

/** The gateway YAML's {@code journal} section turned into the journal's and forwarder's settings. */
public final class JournalWiring {
    public static final Path DEFAULT_PATH = Path.of("data", "journal.db");

    private JournalWiring() {
    }

    public static JournalSettings journal(GatewayConfig.JournalSection j) {
        Path path = j.path() != null ? Path.of(j.path()) : DEFAULT_PATH;
        return new JournalSettings(path, j.maxBytes(), j.alarmAt(), j.partitions(), 8192, 2000,
                JournalSettings.Durability.valueOf(j.durability().toUpperCase(java.util.Locale.ROOT)), j.commitLinger(),
                j.minFreeBytes());
    }

    public static ForwarderSettings forwarder(GatewayConfig.JournalSection j) {
        return new ForwarderSettings(j.gatewayId(), j.batchSize(), j.ackTimeout(),
                j.ackTimeout().multipliedBy(3).compareTo(java.time.Duration.ofSeconds(30)) > 0
                        ? j.ackTimeout().multipliedBy(3) : java.time.Duration.ofSeconds(30));
    }

    public static Topics topics(GatewayConfig.JournalSection j) {
        return new Topics(j.topicPrefix());
    }

    /** {@code mqtt://host:port} (or {@code mqtts://host:port}, TLS) as Paho wants it. */
    public static String brokerUri(String mqttUrl) {
        if (mqttUrl.startsWith("mqtts://")) {
            String hostPort = mqttUrl.substring("mqtts://".length());
            return "ssl://" + (hostPort.contains(":") ? hostPort : hostPort + ":8883");
        }
        if (!mqttUrl.startsWith("mqtt://")) {
            throw new IllegalArgumentException("expected mqtt://host:port or mqtts://host:port, got " + mqttUrl);
        }
        String hostPort = mqttUrl.substring("mqtt://".length());
        return "tcp://" + (hostPort.contains(":") ? hostPort : hostPort + ":1883");
    }
}
