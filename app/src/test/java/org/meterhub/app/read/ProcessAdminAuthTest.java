package org.meterhub.app.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestCli;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * The {@code --admin} endpoint of {@code engine-intake} and {@code mqtt-gateway} (metrics and health) beyond loopback
 * needs {@code --admin-token-file}: without it the process refuses to start with one line; with it, over real HTTP on
 * the machine's own non-loopback address, every request but the liveness and readiness probes needs the token.
 */
class ProcessAdminAuthTest {
    static final String TOKEN = "intake-admin-token-0123456789";
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final Pattern SERVED = Pattern.compile("metrics and health on http://([^/]+)/metrics");
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void beyondLoopbackWithoutATokenFileNeitherProcessStarts() throws Exception {
        String store = "jdbc:sqlite:" + dir.resolve("mh.db");
        for (String[] args : new String[][] {
                {"engine-intake", "--intake", "mqtt://127.0.0.1:1", "--store", store, "--admin", "0.0.0.0:0"},
                {"mqtt-gateway", "--broker", "tcp://127.0.0.1:1", "--store", store, "--admin", "0.0.0.0:0",
                        "--journal", dir.resolve("j.db").toString(), "--commands", dir.resolve("c.db").toString()}}) {
            TestCli.Run run = TestCli.meterhub(args);
            assertThat(run.exit()).as(args[0]).isEqualTo(2);
            assertThat(run.err().strip()).as(args[0]).isEqualTo("meterhub: --admin-token-file: required when --admin"
                    + " (0.0.0.0:0) is not a loopback address: a file holding the token requests must carry");
        }
        Path shortToken = Files.writeString(dir.resolve("short.token"), "abc\n");
        TestCli.Run bad = TestCli.meterhub("engine-intake", "--intake", "mqtt://127.0.0.1:1", "--store", store,
                "--admin", "0.0.0.0:0", "--admin-token-file", shortToken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith("meterhub: --admin-token-file: ").contains("at least 16 printable characters");
        assertThat(Files.exists(dir.resolve("mh.db"))).as("refused before the store was opened").isFalse();
    }

    @Test
    void beyondLoopbackTheTokenIsRequiredOverRealHttp() throws Exception {
        String address = nonLoopbackAddress();
        Path tokenFile = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        String prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             ChildProcess gateway = ChildProcess.start(dir.resolve("gateway.log"), "mqtt-gateway", "--broker", broker.uri(),
                     "--topic-prefix", prefix, "--client-id", prefix + "-gw", "--store", "jdbc:sqlite:" + dir.resolve("gw.db"),
                     "--commands", dir.resolve("cmd.db").toString(), "--journal", dir.resolve("journal.db").toString(),
                     "--admin", address + ":0", "--admin-token-file", tokenFile.toString())
                     .awaitOutput("meterhub mqtt-gateway:", PATIENCE);
             ChildProcess intake = ChildProcess.start(dir.resolve("intake.log"), "engine-intake", "--intake",
                     broker.uri().replaceFirst("^tcp:", "mqtt:"), "--store", "jdbc:sqlite:" + dir.resolve("intake.db"),
                     "--topic-prefix", prefix, "--engine-id", prefix + "-e1", "--alarms-mqtt", "none",
                     "--admin", address + ":0", "--admin-token-file", tokenFile.toString())
                     .awaitOutput("meterhub engine-intake", PATIENCE)) {
            for (ChildProcess p : new ChildProcess[] {gateway, intake}) {
                Matcher m = SERVED.matcher(p.output());
                assertThat(m.find()).as(p.output()).isTrue();
                String base = "http://" + m.group(1);
                assertThat(m.group(1)).startsWith(address + ":");
                HttpResponse<String> refused = get(base + "/metrics", null);
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(get(base + "/metrics", "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
                assertThat(get(base + "/health", null).statusCode()).isEqualTo(401);
                assertThat(get(base + "/health/live", null).statusCode()).as("probes stay open").isEqualTo(200);
                HttpResponse<String> metrics = get(base + "/metrics", "Bearer " + TOKEN);
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains("# TYPE");
            }
        }
    }

    /** The machine's own address on a real interface (the test needs one; CI containers have eth0). */
    private static String nonLoopbackAddress() throws Exception {
        for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) continue;
            for (var a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a.getHostAddress();
            }
        }
        throw new AssertionError("no non-loopback IPv4 address on this machine");
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(PATIENCE);
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
