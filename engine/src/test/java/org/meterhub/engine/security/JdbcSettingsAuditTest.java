package org.meterhub.engine.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Each load of a settings file is on record with its digest and the top-level keys that changed since the previous
 * load of the same kind and file, beside an audit row; the rows are append-only. On both stores.
 */
class JdbcSettingsAuditTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

    private void settingsLoads(TimeSeriesStore store, String url) throws Exception {
        try (store; SqlDatabase db = SqlDatabase.open(url)) {
            JdbcSettingsAudit audit = new JdbcSettingsAudit(db, Clock.fixed(NOW, ZoneOffset.UTC));
            String file = "/etc/meterhub/gateway.yaml";
            JdbcSettingsAudit.Change first = audit.record("meterhub", "gateway", file, "aa11",
                    Map.of("poll", "p1", "leak", "l1", "zone", "z1"), "process");
            assertThat(first.first()).isTrue();
            assertThat(first.text()).isEqualTo("*");

            JdbcSettingsAudit.Change second = audit.record("meterhub", "gateway", file, "bb22",
                    Map.of("poll", "p2", "leak", "l1", "admin", "a1"), "process");
            assertThat(second.first()).isFalse();
            assertThat(second.added()).containsExactly("admin");
            assertThat(second.removed()).containsExactly("zone");
            assertThat(second.changed()).containsExactly("poll");
            assertThat(second.text()).isEqualTo("+admin,-zone,poll");

            JdbcSettingsAudit.Change same = audit.record("ops.wang", "gateway", file, "bb22",
                    Map.of("poll", "p2", "leak", "l1", "admin", "a1"), "process");
            assertThat(same.none()).isTrue();
            JdbcSettingsAudit.Change otherFile = audit.record("meterhub", "gateway", "/etc/meterhub/other.yaml", "cc33",
                    Map.of("poll", "p9"), "process");
            assertThat(otherFile.first()).as("compared with the same file only").isTrue();

            List<AuditEntry> rows = store.auditTrail(NOW.minusSeconds(1), NOW.plusSeconds(1));
            assertThat(rows).filteredOn(e -> e.action().equals("settings load")).hasSize(4);
            assertThat(rows).anyMatch(e -> e.actor().equals("meterhub") && e.subject().equals("settings:gateway")
                    && e.detail().equals("file=/etc/meterhub/gateway.yaml&sha256=bb22&changed=+admin,-zone,poll"));
            assertThat(rows).anyMatch(e -> e.actor().equals("ops.wang") && e.detail().endsWith("&changed=none"));
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update settings_audit set sha256 = 'x'")).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("delete from settings_audit")).hasMessageContaining("append-only");
        }
    }

    @Test
    void onSqlite(@TempDir Path dir) throws Exception {
        settingsLoads(new SqliteStore(dir.resolve("s.db")), "jdbc:sqlite:" + dir.resolve("s.db"));
    }

    @Test
    void onPostgres() throws Exception {
        try (PgTestDatabase db = PgTestDatabase.create()) {
            settingsLoads(new PostgresStore(db.url()), db.url());
        }
    }
}
