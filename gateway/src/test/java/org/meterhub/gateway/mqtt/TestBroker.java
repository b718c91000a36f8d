package org.meterhub.gateway.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * A private Mosquitto for one test class, with the production settings of docs/mqtt.md: the tests
 * depend neither on a shared broker's defaults nor on other users of it.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final TestBroker BROKER = new TestBroker();
 * </pre>
 */
public final class TestBroker implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private PrivateMosquitto broker;

    public static String unique(String what) {
        return "mh-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("mh-broker-");
        broker = PrivateMosquitto.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        broker.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** {@code tcp://127.0.0.1:port} */
    public String uri() {
        return broker.uri();
    }

    public int port() {
        return broker.port();
    }
}
