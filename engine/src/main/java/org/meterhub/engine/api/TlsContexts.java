package org.meterhub.engine.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Server-side TLS contexts for the HTTP server, from a PKCS#12 keystore or from PEM files (a certificate chain
 * and a PKCS#8 private key, RSA or EC). The JDK parses both: no extra dependency for a file format.
 */
public final class TlsContexts {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private TlsContexts() {
    }

    /** A context from a PKCS#12 keystore holding one private key entry (its password is the store's). */
    public static SSLContext fromPkcs12(Path keystore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        return context(ks, password);
    }

    /**
     * A context from a PEM certificate chain (server certificate first) and a PEM PKCS#8 private key
     * ({@code BEGIN PRIVATE KEY}; a traditional {@code BEGIN RSA PRIVATE KEY} or {@code EC PRIVATE KEY}
     * converts with {@code openssl pkcs8 -topk8 -nocrypt}).
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificateChain))));
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(certificateChain + ": no certificate in it");
        }
        String pem = Files.readString(privateKey, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException(privateKey + ": no PKCS#8 key (-----BEGIN PRIVATE KEY-----) in it;"
                    + " convert with openssl pkcs8 -topk8 -nocrypt");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        // The key's algorithm follows the certificate's, so an RSA key with an EC certificate fails here, not at a handshake.
        PrivateKey key = KeyFactory.getInstance(chain.get(0).getPublicKey().getAlgorithm()).generatePrivate(spec);
        char[] none = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, none);
        ks.setKeyEntry("server", key, none, chain.toArray(Certificate[]::new));
        return context(ks, none);
    }

    private static SSLContext context(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
