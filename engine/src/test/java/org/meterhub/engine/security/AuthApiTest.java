package org.meterhub.engine.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The engine's HTTP server with authentication, over real HTTP on loopback: every data route needs
 * credentials, roles decide actions, guessing is throttled, and who acted is who authenticated.
 */
class AuthApiTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    /** Every GET route of the API, with what it needs to be a valid request. */
    static final List<String> DATA_ROUTES = List.of("/api/v1/meters/30000000000101/consumption?from=2026-12-01&to=2026-12-02",
            "/api/v1/meters/30000000000101/readings?from=2026-12-01&to=2026-12-02",
            "/api/v1/meters/30000000000101/flags?from=2026-12-01&to=2026-12-02", "/api/v1/meters/30000000000101/health",
            "/api/v1/top-consumers?month=2026-11", "/api/v1/accounts/to-read?cycle=2026-11", "/api/v1/coverage?cycle=2026-11",
            "/api/v1/alarms", "/api/v1/districts/D1/balance?from=2026-12-01&to=2026-12-02");
    final HttpClient http = HttpClient.newHttpClient();

    private void authenticated(TimeSeriesStore store, String url) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (store; SqlDatabase db = SqlDatabase.open(url)) {
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("ops.lee", Role.OPERATOR, "correct horse battery".toCharArray(), "test");
            users.add("viewer.wu", Role.VIEWER, "viewer password 1".toCharArray(), "test");
            users.add("old.staff", Role.ADMIN, "old staff password".toCharArray(), "test");
            users.disable("old.staff", "test", "left the company");
            String viewerToken = users.issueToken("viewer.wu", "dashboard", Optional.empty(), "test");
            String expired = users.issueToken("viewer.wu", "old", Optional.of(NOW.minusSeconds(1)), "test");

            AlarmService alarms = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(), clock);
            Alarm leak = alarms.raise(AlarmKind.CONTINUOUS_FLOW, "30000000000101", "no flow-free hour in 24 h",
                    OptionalLong.of(900), NOW.minusSeconds(600));
            LoginThrottle throttle = new LoginThrottle(new LoginThrottle.Settings(5, Duration.ofMinutes(15),
                    Duration.ofMinutes(15)), clock);
            try (ApiServer api = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), clock).threads(2).alarms(alarms)
                    .filter(new AuthFilter(users, throttle, List.of("/health/"), clock))
                    .context("/health/", ex -> {
                        ex.sendResponseHeaders(200, -1);
                        ex.close();
                    }).start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();

                for (String route : DATA_ROUTES) {
                    HttpResponse<String> r = get(base + route, null);
                    assertThat(r.statusCode()).as("no credentials: %s", route).isEqualTo(401);
                    assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
                    assertThat(get(base + route, "Bearer " + viewerToken).statusCode()).as("viewer token: %s", route)
                            .isNotIn(401, 403);
                }
                assertThat(get(base + "/health/live", null).statusCode()).as("probes are open").isEqualTo(200);
                assertThat(get(base + DATA_ROUTES.get(0), "Bearer " + expired).statusCode()).isEqualTo(401);
                assertThat(get(base + DATA_ROUTES.get(0), basic("old.staff", "old staff password")).statusCode())
                        .as("a disabled user").isEqualTo(401);
                assertThat(get(base + DATA_ROUTES.get(0), "Basic %%%").statusCode()).isEqualTo(401);

                String ack = base + "/api/v1/alarms/" + leak.id() + "/acknowledge";
                assertThat(post(ack, "Bearer " + viewerToken, "forged.boss").statusCode()).as("a viewer may not ack")
                        .isEqualTo(403);
                HttpResponse<String> acked = post(ack, basic("ops.lee", "correct horse battery"), "forged.boss");
                assertThat(acked.statusCode()).isEqualTo(200);
                assertThat(alarms.find(leak.id()).orElseThrow().acknowledgedBy()).as("the header is not trusted")
                        .contains("ops.lee");

                // Ten wrong passwords. The address already failed once (the disabled user above), so after four more
                // wrong ones it reaches five and is locked: the rest are throttled, even with the right password.
                int wrong = 0;
                int throttled = 0;
                for (int i = 0; i < 10; i++) {
                    int s = get(base + DATA_ROUTES.get(0), basic("ops.lee", "guess " + i)).statusCode();
                    if (s == 401) wrong++;
                    if (s == 429) throttled++;
                }
                assertThat(wrong).isEqualTo(4);
                assertThat(throttled).isEqualTo(6);
                HttpResponse<String> locked = get(base + DATA_ROUTES.get(0), basic("ops.lee", "correct horse battery"));
                assertThat(locked.statusCode()).isEqualTo(429);
                assertThat(locked.headers().firstValue("Retry-After")).hasValue("900");
            }
            assertThat(store.auditTrail(NOW.minusSeconds(60), NOW.plusSeconds(60))).as("reads are audited as the user")
                    .anyMatch(e -> e.actor().equals("viewer.wu") && e.subject().equals("30000000000101"));
        }
    }

    @Test
    void onSqlite(@TempDir Path dir) throws Exception {
        authenticated(new SqliteStore(dir.resolve("api.db")), "jdbc:sqlite:" + dir.resolve("api.db"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("api.db"));
             Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update audit set actor = 'nobody'")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("delete from audit")).hasMessageContaining("append-only");
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (PgTestDatabase db = PgTestDatabase.create()) {
            authenticated(new PostgresStore(db.url()), db.url());
            try (Connection c = DriverManager.getConnection(db.url()); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate("update audit set actor = 'nobody'")).hasMessageContaining("append-only");
                assertThatThrownBy(() -> s.executeUpdate("delete from audit")).hasMessageContaining("append-only");
                assertThatThrownBy(() -> s.executeUpdate("truncate audit")).hasMessageContaining("append-only");
            }
        }
    }

    @Test
    void passwordsAreArgon2idAndNamesAreChecked(@TempDir Path dir) {
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1);
        String h = hasher.hash("correct horse battery".toCharArray());
        assertThat(h).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        assertThat(hasher.verify("correct horse battery".toCharArray(), h)).isTrue();
        assertThat(hasher.verify("correct horse batterY".toCharArray(), h)).isFalse();
        assertThat(hasher.verify("x".toCharArray(), "$argon2id$garbage")).isFalse();
        try (SqliteStore store = new SqliteStore(dir.resolve("u.db")); SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("u.db"))) {
            JdbcUsers users = new JdbcUsers(db, hasher, Clock.fixed(NOW, ZoneOffset.UTC));
            assertThatThrownBy(() -> users.add("Bad Name", Role.VIEWER, null, "t")).hasMessageStartingWith("name:");
            assertThatThrownBy(() -> users.add("short.pw", Role.VIEWER, "short".toCharArray(), "t"))
                    .hasMessageStartingWith("password:");
            users.add("svc.prometheus", Role.VIEWER, null, "t");
            assertThat(users.byPassword("svc.prometheus", "anything at all".toCharArray())).isEmpty();
            assertThatThrownBy(() -> users.add("svc.prometheus", Role.ADMIN, null, "t")).hasMessageContaining("exists");
        }
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String authorization, String userHeader) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", authorization).header("X-Meterhub-User", userHeader);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
