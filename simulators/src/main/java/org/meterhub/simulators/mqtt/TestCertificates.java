package org.meterhub.simulators.mqtt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority made with the openssl command line, for tests and demos of TLS to a
 * {@link PrivateMosquitto}: a CA, a broker certificate for 127.0.0.1, and client certificates whose
 * common name is the identity the broker sees ({@code use_identity_as_username}). Keys are EC P-256
 * in PKCS#8 (fast to make), or RSA in the traditional form ({@code BEGIN RSA PRIVATE KEY}) to show
 * that form is read too. Valid for two days: nothing here is meant to outlive a test run.
 *
 * <p>A missing {@code openssl} binary is an {@link IllegalStateException}: the caller fails, it does not skip.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its private key, PEM files. */
    public record Issued(Path cert, Path key) { }

    private final Path dir;
    private final String name;
    private final Path caCert;
    private final Path caKey;

    private TestCertificates(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.caCert = dir.resolve(name + "-ca.crt");
        this.caKey = dir.resolve(name + "-ca.key");
    }

    /** A new CA named {@code name}, its files in {@code dir}. */
    public static TestCertificates authority(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates ca = new TestCertificates(dir, name);
        openssl(dir, "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.caKey.toString(), "-out", ca.caCert.toString(), "-days", "2", "-subj", "/CN=" + name + " test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** The CA's certificate: the broker's {@code cafile} and the clients' {@code ca-file}. */
    public Path caCert() {
        return caCert;
    }

    /** A certificate for a broker listening on 127.0.0.1 (its name checked by clients). */
    public Issued broker(String cn) throws IOException, InterruptedException {
        return issue(cn, false, "subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth");
    }

    /** A client certificate with common name {@code cn} and an EC key in PKCS#8. */
    public Issued client(String cn) throws IOException, InterruptedException {
        return issue(cn, false, "extendedKeyUsage=clientAuth");
    }

    /** A client certificate with an RSA key in the traditional form ({@code BEGIN RSA PRIVATE KEY}). */
    public Issued clientWithRsaKey(String cn) throws IOException, InterruptedException {
        return issue(cn, true, "extendedKeyUsage=clientAuth");
    }

    private Issued issue(String cn, boolean rsa, String... extensions) throws IOException, InterruptedException {
        String base = name + "-" + cn.replaceAll("[^A-Za-z0-9_.-]", "_");
        Path key = dir.resolve(base + ".key");
        Path csr = dir.resolve(base + ".csr");
        Path cert = dir.resolve(base + ".crt");
        Path ext = dir.resolve(base + ".ext");
        List<String> req = new ArrayList<>(List.of("req", "-new", "-subj", "/CN=" + cn, "-out", csr.toString()));
        if (rsa) {
            openssl(dir, "genrsa", "-traditional", "-out", key.toString(), "2048");
            req.addAll(List.of("-key", key.toString()));
        } else {
            req.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString()));
        }
        openssl(dir, req.toArray(String[]::new));
        Files.writeString(ext, "basicConstraints=CA:FALSE\n" + String.join("\n", extensions) + "\n");
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", Long.toString(SERIAL.incrementAndGet()), "-days", "2", "-extfile", ext.toString(),
                "-out", cert.toString());
        return new Issued(cert, key);
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("the openssl command is required and was not found (Debian package openssl)", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
    }
}
