package org.meterhub.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestCli;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The data-protection settings file as an operator uses it: the erase retention (validated, with one-line errors, and
 * overridden by {@code --keep-years}); the roles that must state a purpose, served by {@code engine --http}; every load
 * of the file on record with its SHA-256 and the top-level keys that changed; {@code --purpose} of the CLI's reads kept
 * in the audit row and shown by {@code meterhub audit}.
 */
class DataProtectionSettingsTest {
    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

    @TempDir
    Path dir;

    private static void seed(String url) {
        try (TimeSeriesStore s = StoreFactory.open(url)) {
            s.registerMeter(new MeterInfo("M1", Medium.GAS, 0, T0, MeterInfo.CJT188_CAPACITY_L));
            s.append(List.of(new Reading("M1", T0.plusSeconds(3600), T0.plusSeconds(3600), 5, ReadingSource.CJT188,
                    java.util.Set.of(), 0)), List.of());
            s.saveAccount(new Account("A1", "M1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D1", LocalDate.of(2025, 1, 5), T0));
        }
    }

    @Test
    void eraseRetentionComesFromTheSettingsAndEachLoadIsAudited() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("m.db");
        seed(url);
        Path settings = Files.writeString(dir.resolve("data-protection.yaml"), "erase:\n  keep-measurement-years: 7\n"
                + "  keep-billing-years: 12\n");
        TestCli.Run erase = TestCli.meterhub("erase", "--account", "A1", "--reason", "request 42", "--dry-run",
                "--settings", settings.toString(), "--store", url);
        assertThat(erase.exit()).as(erase.err()).isZero();
        assertThat(erase.out()).contains("kept 7 years (setting erase.keep-measurement-years")
                .contains("kept 12 years (setting erase.keep-billing-years");

        TestCli.Run override = TestCli.meterhub("erase", "--account", "A1", "--reason", "request 42", "--dry-run",
                "--settings", settings.toString(), "--keep-years", "15", "--store", url);
        assertThat(override.out()).contains("kept 15 years (setting erase.keep-measurement-years")
                .contains("kept 15 years (setting erase.keep-billing-years").doesNotContain("kept 7 years");
        TestCli.Run defaults = TestCli.meterhub("erase", "--account", "A1", "--reason", "request 42", "--dry-run", "--store", url);
        assertThat(defaults.out()).contains("kept 10 years (setting erase.keep-billing-years");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "erase:\n  keep-measurement-years: 7\n  keep-billing-years: 0\n");
        TestCli.Run refused = TestCli.meterhub("erase", "--account", "A1", "--reason", "r", "--settings", bad.toString(),
                "--store", url);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err().strip()).isEqualTo("meterhub: " + bad + ":3: erase.keep-billing-years: expected 1 to 100 years,"
                + " got 0");
        Path word = Files.writeString(dir.resolve("word.yaml"), "erase:\n  keep-billing-years: ten\n");
        assertThat(TestCli.meterhub("erase", "--account", "A1", "--reason", "r", "--settings", word.toString(), "--store", url)
                .err().strip()).startsWith("meterhub: " + word + ":2: erase.keep-billing-years: expected a whole number");
        Path role = Files.writeString(dir.resolve("role.yaml"), "security:\n  purpose-required-roles: [operator, auditor]\n");
        TestCli.Run badRole = TestCli.meterhub("erase", "--account", "A1", "--reason", "r", "--settings", role.toString(),
                "--store", url);
        assertThat(badRole.exit()).isEqualTo(2);
        assertThat(badRole.err().strip()).isEqualTo("meterhub: " + role + ":2: security.purpose-required-roles: expected"
                + " viewer, operator, billing or admin, got \"auditor\"");
        TestCli.Run zero = TestCli.meterhub("erase", "--account", "A1", "--reason", "r", "--keep-years", "0", "--store", url);
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("meterhub: --keep-years: expected 1 to 100 years, got 0");

        // The same file changed: a section added, one value changed; then loaded again unchanged.
        Files.writeString(settings, "security:\n  purpose-required-roles: [billing]\nerase:\n  keep-measurement-years: 7\n"
                + "  keep-billing-years: 11\n");
        assertThat(TestCli.meterhub("erase", "--account", "A1", "--reason", "request 43", "--settings", settings.toString(),
                "--store", url).exit()).isZero();
        assertThat(TestCli.meterhub("erase", "--account", "A1", "--reason", "request 44", "--dry-run", "--settings",
                settings.toString(), "--store", url).exit()).isZero();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(settings)));
        try (SqlDatabase db = SqlDatabase.open(url)) {
            List<String> rows = db.tx("read", c -> SqlDatabase.query(c, "select actor, file, sha256, changed from settings_audit"
                    + " where kind = 'data-protection' order by id", ps -> { }, rs -> rs.getString(1) + "|" + rs.getString(2)
                    + "|" + rs.getString(3) + "|" + rs.getString(4)));
            String file = settings.toAbsolutePath().normalize().toString();
            String user = System.getProperty("user.name");
            assertThat(rows).as("refused files are not recorded as in force").hasSize(4);
            assertThat(rows.get(0)).startsWith(user + "|" + file + "|").endsWith("|*");
            assertThat(rows.get(1)).endsWith("|"); // the same file again: nothing changed
            assertThat(rows.get(2)).isEqualTo(user + "|" + file + "|" + sha + "|+security,erase");
            assertThat(rows.get(3)).isEqualTo(user + "|" + file + "|" + sha + "|");
        }
        TestCli.Run audit = TestCli.meterhub("audit", "--meter", "settings:data-protection", "--store", url);
        assertThat(audit.out()).contains("settings load").contains("sha256=" + sha + "&changed=+security,erase")
                .contains("changed=none").contains("4 audit rows");
    }

    @Test
    void theEngineServesUnderTheSettingsItRecorded() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("e.db");
        seed(url);
        Path settings = Files.writeString(dir.resolve("data-protection.yaml"), "security:\n  purpose-required-roles: [viewer]\n");
        assertThat(TestCli.meterhub("users", "add", "--name", "svc.reports", "--role", "viewer", "--token-only", "--store", url)
                .exit()).isZero();
        String token = TestCli.meterhub("users", "token", "--name", "svc.reports", "--store", url).out().strip();
        try (ChildProcess engine = ChildProcess.start(dir.resolve("engine.log"), "engine", "--store", url, "--http",
                "127.0.0.1:0", "--settings", settings.toString())) {
            engine.awaitOutput("Ctrl-C stops", Duration.ofSeconds(60));
            Matcher m = Pattern.compile("HTTP API on http://127\\.0\\.0\\.1:(\\d+)/").matcher(engine.output());
            assertThat(m.find()).as(engine.output()).isTrue();
            String readings = "http://127.0.0.1:" + m.group(1) + "/api/v1/meters/M1/readings?from=2026-11-01&to=2026-11-03";
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(readings))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("role viewer must state why");
            HttpResponse<String> served = http.send(HttpRequest.newBuilder(URI.create(readings + "&purpose=monthly+report"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).as(served.body() + engine.output()).isEqualTo(200);
            engine.stop(Duration.ofSeconds(30));
        }
        TestCli.Run audit = TestCli.meterhub("audit", "--store", url);
        assertThat(audit.out()).contains("settings:data-protection").contains("changed=*")
                .containsPattern("svc\\.reports +GET /api/v1/meters/\\{id\\}/readings +M1 .* monthly report ");
    }

    @Test
    void aServiceRecordsItsSettingsAtStartAndGoesOnWhenTheStoreIsDown() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("g.db");
        seed(url);
        Path config = Files.writeString(dir.resolve("gateway.yaml"), "zone: Asia/Shanghai\npoll:\n  interval: 15m\n");
        SettingsAudit.recordAtStart(url, "gateway", config);
        Files.writeString(config, "poll:\n  interval: 5m\nleak:\n  continuous-hours: 24\n");
        SettingsAudit.recordAtStart(url, "gateway", config);
        // PostgreSQL on a port nothing listens on: logged, not fatal
        SettingsAudit.recordAtStart("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "gateway", config);
        TestCli.Run audit = TestCli.meterhub("audit", "--meter", "settings:gateway", "--store", url);
        assertThat(audit.out()).contains("changed=*").contains("changed=+leak,-zone,poll").contains("2 audit rows");
    }

    @Test
    void theCommandLinesPurposeIsKeptOnSqlite() {
        String url = "jdbc:sqlite:" + dir.resolve("q.db");
        seed(url);
        cliPurpose(url);
    }

    @Test
    void theCommandLinesPurposeIsKeptOnPostgres() throws Exception {
        try (TestDatabases.Database pg = TestDatabases.createPostgres()) {
            seed(pg.url());
            cliPurpose(pg.url());
        }
    }

    private static void cliPurpose(String url) {
        TestCli.Run q = TestCli.meterhub("query", "readings", "--meter", "M1", "--from", "2026-11-01", "--to", "2026-11-03",
                "--purpose", "complaint C-7", "--store", url);
        assertThat(q.exit()).as(q.err()).isZero();
        TestCli.Run none = TestCli.meterhub("query", "readings", "--meter", "M1", "--from", "2026-11-01", "--to", "2026-11-03",
                "--store", url);
        assertThat(none.exit()).isZero();
        TestCli.Run tooLong = TestCli.meterhub("query", "readings", "--meter", "M1", "--from", "2026-11-01", "--to",
                "2026-11-03", "--purpose", "x".repeat(201), "--store", url);
        assertThat(tooLong.exit()).isEqualTo(2);
        assertThat(tooLong.err()).contains("meterhub: --purpose: at most 200 characters, got 201\n");
        TestCli.Run audit = TestCli.meterhub("audit", "--meter", "M1", "--store", url);
        assertThat(audit.out()).containsPattern("cli query readings +M1 +cli +complaint C-7 ")
                .containsPattern("cli query readings +M1 +cli +- ").contains("purpose").contains("2 audit rows");
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
