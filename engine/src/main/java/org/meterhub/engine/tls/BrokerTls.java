package org.meterhub.engine.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * TLS to an MQTT broker from PEM files, as Mosquitto's own configuration names them: the CA that
 * signed the broker's certificate ({@code ca-file}) and, for a broker with
 * {@code require_certificate true}, this client's certificate ({@code cert-file}) and its private key
 * ({@code key-file}: PKCS#8, or the traditional RSA and EC forms openssl writes; not encrypted, the
 * file's permissions protect it). Everything is read and checked when built, so a missing file, a
 * key that is not a key or one that does not belong to the certificate stops the process at start
 * with one line naming the setting, not at the first handshake minutes later.
 *
 * <p>Messages start with the setting's name ({@code ca-file: …}), which the configuration readers
 * turn into the field's full path.
 */
public final class BrokerTls {
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final SSLSocketFactory socketFactory;
    private final String clientSubject;

    private BrokerTls(Path caFile, Path certFile, Path keyFile, SSLSocketFactory socketFactory, String clientSubject) {
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.socketFactory = socketFactory;
        this.clientSubject = clientSubject;
    }

    /**
     * @param caFile   required: the broker's certificate must chain to one of the certificates in it
     * @param certFile this client's certificate (chain, client first); null connects without one
     * @param keyFile  the certificate's private key; given exactly when {@code certFile} is
     * @throws IllegalArgumentException one line, starting with the setting at fault
     */
    public static BrokerTls load(Path caFile, Path certFile, Path keyFile) {
        if (caFile == null) throw new IllegalArgumentException("ca-file: required for TLS to the broker");
        if (certFile == null && keyFile != null) throw new IllegalArgumentException("cert-file: required with key-file");
        if (certFile != null && keyFile == null) throw new IllegalArgumentException("key-file: required with cert-file");
        List<X509Certificate> cas = certificates("ca-file", caFile);
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca-" + i, cas.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            String subject = null;
            if (certFile != null) {
                List<X509Certificate> chain = certificates("cert-file", certFile);
                PrivateKey key = privateKey(keyFile, chain.get(0));
                char[] none = new char[0];
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, none);
                ks.setKeyEntry("client", key, none, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, none);
                subject = chain.get(0).getSubjectX500Principal().getName();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new BrokerTls(caFile, certFile, keyFile, ctx.getSocketFactory(), subject);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("ca-file: " + caFile + ": cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** The factory for Paho's {@code MqttConnectOptions.setSocketFactory}. */
    public SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    public Path caFile() {
        return caFile;
    }

    /** Null without a client certificate. */
    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** The client certificate's subject (RFC 2253), the broker's user with {@code use_identity_as_username}; null without one. */
    public String clientSubject() {
        return clientSubject;
    }

    private static String read(String setting, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(setting + ": " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(setting + ": " + file + ": not readable by this user");
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": " + file + ": cannot read: " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(String setting, Path file) {
        String pem = read(setting, file);
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(setting + ": " + file + ": not a PEM certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(setting + ": " + file + ": no certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return out;
    }

    private static PrivateKey privateKey(Path file, X509Certificate cert) {
        String pem = read("key-file", file);
        PemObject found = null;
        try (Reader r = new StringReader(pem); PemReader reader = new PemReader(r)) {
            for (PemObject o = reader.readPemObject(); o != null; o = reader.readPemObject()) {
                if (o.getType().endsWith("PRIVATE KEY")) {
                    found = o;
                    break;
                }
                // openssl ecparam -genkey writes EC PARAMETERS before the key: skipped
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("key-file: " + file + ": not a PEM private key: " + e.getMessage());
        }
        if (found == null) {
            throw new IllegalArgumentException("key-file: " + file + ": no private key (-----BEGIN PRIVATE KEY-----) in it");
        }
        PrivateKey key;
        try {
            byte[] pkcs8 = switch (found.getType()) {
                case "PRIVATE KEY" -> found.getContent();
                case "RSA PRIVATE KEY" -> new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                        DERNull.INSTANCE), RSAPrivateKey.getInstance(found.getContent())).getEncoded();
                case "EC PRIVATE KEY" -> {
                    ECPrivateKey ec = ECPrivateKey.getInstance(found.getContent());
                    yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                            ec.getParametersObject()), ec).getEncoded();
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("key-file: " + file
                        + ": the key is encrypted; store it decrypted (openssl pkcs8 -topk8 -nocrypt) and readable only by this user");
                default -> throw new IllegalArgumentException("key-file: " + file + ": unsupported key type " + found.getType());
            };
            // The certificate says which algorithm the key must be: an RSA key with an EC certificate fails here.
            key = KeyFactory.getInstance(cert.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException i && i.getMessage() != null && i.getMessage().startsWith("key-file:")) throw i;
            throw new IllegalArgumentException("key-file: " + file + ": unreadable " + found.getType().toLowerCase()
                    + " for a " + cert.getPublicKey().getAlgorithm() + " certificate: " + e.getMessage());
        }
        if (!belongsTo(key, cert)) {
            throw new IllegalArgumentException("key-file: " + file + ": not the private key of the certificate it comes with ("
                    + cert.getSubjectX500Principal().getName() + ")");
        }
        return key;
    }

    /** Signs a few bytes and verifies them with the certificate: the key pair matches whatever the algorithm. */
    private static boolean belongsTo(PrivateKey key, X509Certificate cert) {
        String alg = switch (cert.getPublicKey().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null) return true; // an algorithm not checked here still fails at the handshake
        try {
            byte[] probe = "meterhub".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * A connect failure in words an operator can act on: Paho reports a refused handshake as a bare
     * "MqttException" or a lost connection, with the TLS alert buried in its causes.
     */
    public static String explain(Throwable failure) {
        return explain(failure, false);
    }

    /** As {@link #explain(Throwable)}, for a connection that was TLS ({@code ssl://}). */
    public static String explain(Throwable failure, boolean tls) {
        StringBuilder all = new StringBuilder();
        String last = null;
        for (Throwable t = failure; t != null && all.length() < 4000; t = t.getCause()) {
            if (t.getMessage() != null) {
                all.append(t.getMessage()).append(' ');
                last = t.getMessage();
            }
            if (t.getCause() == t) break;
        }
        String text = all.toString();
        String hint = null;
        if (text.contains("certificate_required")) {
            hint = "the broker requires a client certificate and none was sent (set cert-file and key-file)";
        } else if (text.contains("unknown_ca") || text.contains("bad_certificate") || text.contains("decrypt_error")
                || text.contains("access_denied")) {
            hint = "the broker refused this client's certificate (not signed by a CA the broker trusts, or revoked)";
        } else if (text.contains("PKIX path") || text.contains("unable to find valid certification path")) {
            hint = "the broker's certificate is not signed by a CA in ca-file";
        } else if (text.contains("No subject alternative") || text.contains("No name matching")) {
            hint = "the broker's certificate does not name the host in the broker URI";
        } else if (text.contains("Not authorized")) {
            hint = "the broker refused this client (not authorised: user, certificate identity or ACL)";
        } else if (tls && (text.contains("Broken pipe") || text.contains("Connection reset"))) {
            // TLS 1.3: the client may already be writing when the broker's alert and close arrive
            hint = "the broker closed the connection during the TLS handshake; it may have refused this client's"
                    + " certificate or require one (see the broker's log)";
        }
        String detail = last != null ? last : failure.toString();
        return hint == null ? detail : hint + ": " + detail;
    }

    @Override
    public String toString() {
        return "TLS (CA " + caFile + (certFile != null ? ", client certificate " + certFile : ", no client certificate") + ")";
    }
}
