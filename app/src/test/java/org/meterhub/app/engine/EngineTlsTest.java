package org.meterhub.app.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.config.ConfigException;

/** {@code meterhub engine --http … --tls-keystore …} serves HTTPS, as an operator starts it; bad TLS options are one-line errors. */
class EngineTlsTest {
    @TempDir
    Path dir;

    @Test
    void theEngineServesHttpsFromAPkcs12Keystore() throws Exception {
        Path p12 = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", "changeit-test").redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(out).isZero();
        Path password = dir.resolve("keystore.pass");
        Files.writeString(password, "changeit-test\n");

        try (ChildProcess engine = ChildProcess.start(dir.resolve("engine.log"), "engine", "--store",
                "jdbc:sqlite:" + dir.resolve("mh.db"), "--http", "127.0.0.1:0", "--tls-keystore", p12.toString(),
                "--tls-keystore-password-file", password.toString())) {
            engine.awaitOutput("Ctrl-C stops", ChildProcess.PATIENCE);
            Matcher m = Pattern.compile("HTTP API on https://127\\.0\\.0\\.1:(\\d+)/").matcher(engine.output());
            assertThat(m.find()).as(engine.output()).isTrue();
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                trust.load(in, "changeit-test".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ctx).build();
            String hostPort = "127.0.0.1:" + m.group(1);
            assertThat(https.send(HttpRequest.newBuilder(URI.create("https://" + hostPort + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(https.send(HttpRequest.newBuilder(URI.create("https://" + hostPort + "/api/v1/alarms")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + hostPort + "/health/live")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString())).as("plain HTTP fails the handshake").isInstanceOf(IOException.class);
            engine.stop(ChildProcess.PATIENCE);
        }
    }

    @Test
    void badTlsOptionsAreOneLineErrorsNamingTheOption() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThat(EngineTls.context(true, null, null, null, null)).isNull();
        List.of(
                new Object[] {false, empty, empty, null, null, "--tls-cert: only with --http"},
                new Object[] {true, empty, null, null, null, "--tls-key: required with --tls-cert"},
                new Object[] {true, missing, empty, null, null, "--tls-cert: cannot read"},
                new Object[] {true, empty, null, empty, null, "not both"},
                new Object[] {true, null, null, empty, null, "--tls-keystore-password-file: required"},
                new Object[] {true, empty, empty, null, null, "--tls-cert/--tls-key: "}).forEach(c ->
                assertThatThrownBy(() -> EngineTls.context((boolean) c[0], (Path) c[1], (Path) c[2], (Path) c[3], (Path) c[4]))
                        .isInstanceOf(ConfigException.class).hasMessageContaining((String) c[5]));
    }
}
