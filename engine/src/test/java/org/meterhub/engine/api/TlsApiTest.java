package org.meterhub.engine.api;

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
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.SqliteStore;

/**
 * The HTTP server with TLS, from a certificate generated in the test by the JDK's keytool: a client that trusts
 * it gets answers over HTTPS with a token; plain HTTP to the same port fails the handshake.
 */
class TlsApiTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    static final char[] PASSWORD = "changeit-test".toCharArray();

    @Test
    void pkcs12KeystoreServesHttpsAndRefusesPlainHttp(@TempDir Path dir) throws Exception {
        Path p12 = selfSigned(dir, "RSA");
        served(dir, TlsContexts.fromPkcs12(p12, PASSWORD), p12);
    }

    @Test
    void pemCertificateAndPkcs8KeyServeHttps(@TempDir Path dir) throws Exception {
        Path p12 = selfSigned(dir, "EC");
        Path cert = dir.resolve("server.crt");
        keytool(dir, "-exportcert", "-rfc", "-alias", "server", "-keystore", p12.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-file", cert.toString());
        KeyStore ks = load(p12);
        Path key = dir.resolve("server.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(ks.getKey("server", PASSWORD).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        served(dir, TlsContexts.fromPem(cert, key), p12);

        Path notAKey = dir.resolve("rsa.key");
        Files.writeString(notAKey, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsContexts.fromPem(cert, notAKey)).hasMessageContaining("no PKCS#8 key");
    }

    private void served(Path dir, SSLContext serverTls, Path trusted) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (SqliteStore store = new SqliteStore(dir.resolve("api.db"));
             SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("api.db"))) {
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("viewer.wu", Role.VIEWER, null, "test");
            String token = users.issueToken("viewer.wu", "dashboard", Optional.empty(), "test");
            try (ApiServer api = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), clock).threads(2).tls(serverTls)
                    .filter(new AuthFilter(users, new LoginThrottle(LoginThrottle.Settings.defaults(), clock),
                            List.of("/health/"), clock)).start()) {
                assertThat(api.tls()).isTrue();
                String path = "127.0.0.1:" + api.address().getPort() + "/api/v1/alarms";
                HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(load(trusted)))
                        .connectTimeout(Duration.ofSeconds(10)).build();
                HttpResponse<String> ok = trusting.send(HttpRequest.newBuilder(URI.create("https://" + path))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(trusting.send(HttpRequest.newBuilder(URI.create("https://" + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as("TLS does not replace credentials").isEqualTo(401);

                HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://" + path))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString())).as("plain HTTP fails the handshake").isInstanceOf(IOException.class);
                HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create("https://" + path)).build(),
                        HttpResponse.BodyHandlers.ofString())).as("a client that does not trust the certificate")
                        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            }
        }
    }

    /** A self-signed certificate for 127.0.0.1 in a PKCS#12 keystore, made by the JDK's keytool. */
    static Path selfSigned(Path dir, String keyAlg) throws Exception {
        Path p12 = dir.resolve("server.p12");
        keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", keyAlg, "-keysize", keyAlg.equals("EC") ? "256" : "2048",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", new String(PASSWORD));
        return p12;
    }

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("keytool %s: %s", args[0], out).isZero();
    }

    private static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static SSLContext trusting(KeyStore withCert) throws Exception {
        Certificate cert = withCert.getCertificate("server");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
