package org.meterhub.app.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.meterhub.app.config.CliArgs;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.JdbcSettingsAudit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts on record which settings file a process or command started with (docs/security.md, "Audit of settings"):
 * the OS user, the file, its SHA-256 and the top-level settings that differ from the last load of the same file.
 * Called after the file was loaded and validated, so a file that refuses to start is not recorded as in force.
 */
public final class SettingsAudit {
    private static final Logger log = LoggerFactory.getLogger(SettingsAudit.class);
    private static final ObjectMapper YAML = new YAMLMapper();
    /** Map keys sorted at every level: the same settings written in another order hash the same. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SettingsAudit() {
    }

    /** A settings file as the audit sees it: the SHA-256 of its bytes and of each top-level key's value. */
    public record Digest(String file, String sha256, Map<String, String> keyHashes) {
    }

    /** Reads and digests a file that was just loaded; the YAML is parsed again only for its top-level keys. */
    public static Digest digest(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new org.meterhub.app.config.ConfigException(file + ": cannot read: " + e.getMessage());
        }
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            JsonNode root = YAML.readTree(bytes);
            if (root != null && root.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Object value = CANONICAL.treeToValue(e.getValue(), Object.class);
                    keys.put(e.getKey(), sha256(CANONICAL.writeValueAsBytes(value)));
                }
            }
        } catch (IOException e) {
            throw new org.meterhub.app.config.ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        return new Digest(file.toAbsolutePath().normalize().toString(), sha256(bytes), keys);
    }

    /**
     * Records the load in the store (a {@code settings_audit} row and an {@code audit} row) as the OS user.
     *
     * @param client {@code cli} for a command, {@code process} for a long-running service
     */
    public static JdbcSettingsAudit.Change record(SqlDatabase db, String kind, Path file, String client) {
        Digest d = digest(file);
        JdbcSettingsAudit.Change change = new JdbcSettingsAudit(db, Clock.systemUTC()).record(CliArgs.osUser(), kind, d.file(),
                d.sha256(), d.keyHashes(), client);
        log.info("settings {} from {} (sha256 {}): {}", kind, d.file(), d.sha256(),
                change.first() ? "first load on record" : change.none() ? "unchanged" : "changed " + change.text());
        return change;
    }

    /**
     * A service's settings at start: recorded in its store when the store can be reached; otherwise logged at WARN and
     * the service goes on (a gateway whose store is down still journals readings; the log keeps the file's digest).
     */
    public static void recordAtStart(String storeUrl, String kind, Path file) {
        if (file == null || SqlDatabase.isPrivateMemory(storeUrl)) return;
        try (SqlDatabase db = SqlDatabase.open(storeUrl)) {
            record(db, kind, file, "process");
        } catch (RuntimeException e) {
            Digest d = digest(file);
            log.warn("settings {} from {} (sha256 {}) not recorded in the store: {}", kind, d.file(), d.sha256(), e.getMessage());
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
