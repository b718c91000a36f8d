package org.meterhub.app.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.HealthEndpoint;
import org.meterhub.engine.reading.Reading;

/**
 * The gateway's admin endpoint beyond loopback needs a bearer token from {@code admin.token-file}; on loopback it
 * stays open; the liveness and readiness probes are always open. Over real HTTP.
 */
class AdminAuthTest {
    static final String TOKEN = "s3cret-admin-token-0123456789";
    final HttpClient http = HttpClient.newHttpClient();
    /** Every meter unknown: a request that gets past authentication answers 404 UNKNOWN_METER. */
    final java.util.function.Function<String, CompletableFuture<Reading>> reader =
            id -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown meter"));
    final HealthEndpoint health = new HealthEndpoint(null, List.of(new HealthEndpoint.Check("store", () -> true)));

    @Test
    void aNonLoopbackBindWithoutATokenFileIsRefusedAtStartup() {
        ConfigLoader loader = new ConfigLoader();
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "admin:\n  listen: 0.0.0.0:7701\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("gateway.yaml:").hasMessageContaining(": admin.token-file: required when listen (0.0.0.0:7701)")
                .hasMessageNotContaining("\n");
        assertThat(loader.parse("gateway.yaml", "admin:\n  listen: 0.0.0.0:7701\n  enabled: false\n", GatewayConfig.class)
                .admin().enabled()).as("a disabled endpoint needs no token").isFalse();
        assertThat(loader.parse("gateway.yaml", "admin:\n  listen: 0.0.0.0:7701\n  token-file: /etc/meterhub/admin.token\n",
                GatewayConfig.class).admin().tokenFile()).isEqualTo("/etc/meterhub/admin.token");
    }

    @Test
    void beyondLoopbackEveryRequestButTheProbesNeedsTheToken(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        try (AdminServer admin = AdminServer.forConfig(new GatewayConfig.AdminSection("0.0.0.0:0", true, tokenFile.toString()),
                reader, health)) {
            String base = "http://127.0.0.1:" + admin.address().getPort();
            HttpResponse<String> read = post(base + "/api/v1/meters/30000000000101/read", null);
            assertThat(read.statusCode()).isEqualTo(401);
            assertThat(read.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(post(base + "/api/v1/meters/30000000000101/read", "Bearer wrong-token-0123456789").statusCode())
                    .isEqualTo(401);
            assertThat(post(base + "/api/v1/meters/30000000000101/read", "Bearer " + TOKEN.substring(1)).statusCode())
                    .as("a prefix of the token").isEqualTo(401);
            assertThat(get(base + "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(base + "/health", null).statusCode()).as("the detailed health names the box's parts").isEqualTo(401);
            assertThat(get(base + "/health/live", null).statusCode()).isEqualTo(200);
            assertThat(get(base + "/health/ready", null).statusCode()).isEqualTo(200);

            HttpResponse<String> authorized = post(base + "/api/v1/meters/30000000000101/read", "Bearer " + TOKEN);
            assertThat(authorized.statusCode()).isEqualTo(404);
            assertThat(authorized.body()).contains("UNKNOWN_METER");
            assertThat(get(base + "/metrics", "Bearer " + TOKEN).statusCode()).isEqualTo(200);

            // `meterhub read` sends the token from the same file
            String gateway = "127.0.0.1:" + admin.address().getPort();
            assertThat(org.meterhub.app.TestCli.meterhub("read", "--gateway", gateway, "--meter", "30000000000101").err())
                    .contains("(UNAUTHORIZED)");
            assertThat(org.meterhub.app.TestCli.meterhub("read", "--gateway", gateway, "--meter", "30000000000101",
                    "--token-file", tokenFile.toString()).err()).contains("(UNKNOWN_METER)");
        }
    }

    @Test
    void onLoopbackWithoutATokenFileItStaysOpen() throws Exception {
        try (AdminServer admin = AdminServer.forConfig(new GatewayConfig.AdminSection("127.0.0.1:0", true), reader, health)) {
            String base = "http://127.0.0.1:" + admin.address().getPort();
            assertThat(post(base + "/api/v1/meters/30000000000101/read", null).statusCode()).isEqualTo(404);
            assertThat(get(base + "/metrics", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anEmptyOrShortTokenFileRefusesStartup(@TempDir Path dir) throws Exception {
        Path shortToken = Files.writeString(dir.resolve("short.token"), "abc\n");
        assertThatThrownBy(() -> AdminServer.forConfig(new GatewayConfig.AdminSection("0.0.0.0:0", true, shortToken.toString()),
                reader, health)).isInstanceOf(ConfigException.class).hasMessageStartingWith("admin.token-file: ");
        assertThatThrownBy(() -> AdminServer.forConfig(new GatewayConfig.AdminSection("0.0.0.0:0", true,
                dir.resolve("missing").toString()), reader, health)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("admin.token-file: cannot read");
    }

    private HttpResponse<String> post(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
