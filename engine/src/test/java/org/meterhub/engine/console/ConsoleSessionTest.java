package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.query.LastReadings;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Logging out of the console ends the session on the server: the token behind the cookie is
 * revoked (a new row, the token's own row untouched), so a copy of the old cookie gets 401 from the
 * API and the login page from the console. Over real HTTP on loopback, on both stores.
 */
class ConsoleSessionTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    final HttpClient http = HttpClient.newHttpClient(); // follows no redirects: each 303 is seen

    @Test
    void logoutRevokesTheSessionOnSqlite(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("session.db");
        loginThenLogout(new SqliteStore(dir.resolve("session.db")), url);
    }

    @Test
    void logoutRevokesTheSessionOnPostgres() throws Exception {
        try (PgTestDatabase pg = PgTestDatabase.create()) {
            loginThenLogout(new PostgresStore(pg.url()), pg.url());
        }
    }

    private void loginThenLogout(TimeSeriesStore store, String url) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (store; SqlDatabase db = SqlDatabase.open(url)) {
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("ops.lee", Role.OPERATOR, "correct horse battery".toCharArray(), "test");
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder b = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), clock).threads(2)
                    .filter(new AuthFilter(users, throttle, open, clock));
            b.context("/console/", new ConsoleHandler(store, b.reports(), clock, users, throttle, new LastReadings(db),
                    ConsoleSettings.defaults(), db));
            try (ApiServer api = b.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();
                HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/console/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("user=ops.lee&password=correct+horse+battery")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(login.statusCode()).isEqualTo(303);
                String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
                assertThat(cookie).startsWith(AuthFilter.SESSION_COOKIE + "=mh_");

                assertThat(get(base + "/console/", cookie).statusCode()).isEqualTo(200);
                assertThat(get(base + "/console/", cookie).body()).contains("href=\"/console/logout\"");
                assertThat(get(base + "/api/v1/alarms", cookie).statusCode()).isEqualTo(200);

                HttpResponse<String> logout = get(base + "/console/logout", cookie);
                assertThat(logout.statusCode()).isEqualTo(303);
                assertThat(logout.headers().firstValue("Location")).contains("/console/login");
                assertThat(logout.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");

                // The browser dropped the cookie; a copy of it no longer works anywhere.
                assertThat(get(base + "/api/v1/alarms", cookie).statusCode()).isEqualTo(401);
                HttpResponse<String> page = get(base + "/console/", cookie);
                assertThat(page.statusCode()).isEqualTo(303);
                assertThat(page.headers().firstValue("Location")).contains("/console/login");
                // Nor as a Bearer token: it is the token that is revoked, not the way it was sent.
                String token = cookie.substring(cookie.indexOf('=') + 1);
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alarms"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).isEqualTo(401);
                // Revoking again changes nothing: the first revocation is when it stopped working.
                assertThat(users.revoke(token, "test")).isFalse();
                assertThat(users.revoke("mh_not-a-token", "test")).isFalse();
            }
        }
        // The token's row is as it was issued; the revocation is a row of its own, by who logged out.
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select t.label, t.user_name, r.revoked_by, (select count(*) from"
                     + " user_token_revoked) from user_tokens t join user_token_revoked r on r.token_hash = t.token_hash")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("console session");
            assertThat(rs.getString(2)).isEqualTo("ops.lee");
            assertThat(rs.getString(3)).isEqualTo("ops.lee");
            assertThat(rs.getLong(4)).isEqualTo(1);
        }
    }

    private HttpResponse<String> get(String url, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
