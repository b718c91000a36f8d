package org.meterhub.app.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.api.TlsContexts;

/** The engine's {@code --tls-*} options to a server TLS context, or one-line errors naming the option. */
final class EngineTls {
    private EngineTls() {
    }

    /** Null when no TLS option is given (plain HTTP). */
    static SSLContext context(boolean serving, Path cert, Path key, Path keystore, Path passwordFile) {
        boolean pem = cert != null || key != null;
        boolean p12 = keystore != null || passwordFile != null;
        if (!pem && !p12) {
            return null;
        }
        if (!serving) {
            throw new ConfigException((pem ? "--tls-cert" : "--tls-keystore") + ": only with --http");
        }
        if (pem && p12) {
            throw new ConfigException("--tls-keystore: give either --tls-cert and --tls-key or --tls-keystore, not both");
        }
        try {
            if (pem) {
                if (cert == null || key == null) {
                    throw new ConfigException(cert == null ? "--tls-cert: required with --tls-key" : "--tls-key: required with --tls-cert");
                }
                return TlsContexts.fromPem(readable("--tls-cert", cert), readable("--tls-key", key));
            }
            if (keystore == null || passwordFile == null) {
                throw new ConfigException(keystore == null ? "--tls-keystore: required with --tls-keystore-password-file"
                        : "--tls-keystore-password-file: required with --tls-keystore");
            }
            String password = Files.readString(readable("--tls-keystore-password-file", passwordFile), StandardCharsets.UTF_8)
                    .strip();
            return TlsContexts.fromPkcs12(readable("--tls-keystore", keystore), password.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException((pem ? "--tls-cert/--tls-key: " : "--tls-keystore: ") + e.getMessage());
        }
    }

    private static Path readable(String option, Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException(option + ": cannot read " + file);
        }
        return file;
    }
}
