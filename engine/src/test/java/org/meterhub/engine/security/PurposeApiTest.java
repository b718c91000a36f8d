package org.meterhub.engine.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.console.ConsoleHandler;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The roles that must state a purpose to read one household's data (here the default: operator, billing, admin) are
 * refused without one, with a 400 naming it; with {@code ?purpose=} or {@code X-Purpose} the read is served and the
 * purpose is in its audit row. A viewer, and reads of aggregates, need none. API and console, over real HTTP.
 */
class PurposeApiTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    static final String METER = "30000000000101";
    static final String READINGS = "/api/v1/meters/" + METER + "/readings?from=2026-12-01&to=2026-12-02";
    final HttpClient http = HttpClient.newHttpClient();

    private void purposes(TimeSeriesStore store, String url) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (store; SqlDatabase db = SqlDatabase.open(url)) {
            store.registerMeter(new MeterInfo(METER, Medium.GAS, 0, NOW.minus(Duration.ofDays(30)), MeterInfo.CJT188_CAPACITY_L));
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("ops.lee", Role.OPERATOR, null, "test");
            users.add("bill.ma", Role.BILLING, null, "test");
            users.add("grafana", Role.VIEWER, null, "test");
            String operator = "Bearer " + users.issueToken("ops.lee", "t", Optional.empty(), "test");
            String billing = "Bearer " + users.issueToken("bill.ma", "t", Optional.empty(), "test");
            String viewer = "Bearer " + users.issueToken("grafana", "t", Optional.empty(), "test");
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
            ApiServer.Builder b = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), clock).threads(2)
                    .purposes(PurposePolicy.defaults())
                    .filter(new AuthFilter(users, throttle, List.of("/health/"), clock));
            b.context("/console/", new ConsoleHandler(store, b.reports(), clock, users, throttle,
                    new org.meterhub.engine.query.LastReadings(db), org.meterhub.engine.console.ConsoleSettings.defaults(), db,
                    PurposePolicy.defaults()));
            try (ApiServer api = b.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();

                HttpResponse<String> refused = get(base + READINGS, operator, null);
                assertThat(refused.statusCode()).isEqualTo(400);
                assertThat(refused.body()).contains("\"parameter\":\"purpose\"").contains("role operator must state why")
                        .contains("X-Purpose");
                assertThat(get(base + "/api/v1/top-consumers?from=2026-12-01&to=2026-12-02", billing, null).statusCode())
                        .as("ranking households is reading them").isEqualTo(400);
                assertThat(get(base + "/api/v1/alarms?meter=" + METER, operator, null).statusCode()).isEqualTo(400);

                assertThat(get(base + READINGS + "&purpose=" + enc("alarm 17: leak check"), operator, null).statusCode())
                        .isEqualTo(200);
                assertThat(get(base + READINGS, billing, "dispute D-42").statusCode()).as("the header").isEqualTo(200);
                assertThat(get(base + READINGS + "&purpose=" + "x".repeat(201), operator, null).statusCode())
                        .as("a purpose is a line, not a document").isEqualTo(400);
                assertThat(get(base + READINGS, viewer, null).statusCode()).as("a viewer (a service) needs none").isEqualTo(200);
                HttpResponse<String> district = get(base + "/api/v1/districts/D1/consumption?from=2026-12-01&to=2026-12-02",
                        operator, null);
                assertThat(district.statusCode()).as("a district's total is no household's: only the district is unknown")
                        .isEqualTo(404);
                assertThat(district.body()).doesNotContain("purpose");
                assertThat(get(base + "/api/v1/accounts/to-read?month=2026-11", operator, null).statusCode()).isEqualTo(200);
                assertThat(get(base + "/api/v1/alarms", operator, null).statusCode()).as("the alarm list to work")
                        .isEqualTo(200);

                // The console asks with a form, and passes the purpose on to the page's links.
                HttpResponse<String> ask = get(base + "/console/meters/" + METER + "?step=day", operator, null);
                assertThat(ask.statusCode()).isEqualTo(400);
                assertThat(ask.body()).contains("Why do you open meter " + METER).contains("name=\"purpose\"")
                        .contains("name=\"step\" value=\"day\"");
                HttpResponse<String> page = get(base + "/console/meters/" + METER + "?step=day&purpose=" + enc("customer enquiry"),
                        operator, null);
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).contains("?step=hour&amp;purpose=customer+enquiry");
                HttpResponse<String> redirect = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                        .send(HttpRequest.newBuilder(URI.create(base + "/console/meter?id=" + METER + "&purpose=meter+fault"))
                                .header("Authorization", operator).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(redirect.headers().firstValue("Location")).hasValue("/console/meters/" + METER + "?purpose=meter+fault");
            }
            List<AuditEntry> audit = store.auditTrail(NOW.minusSeconds(60), NOW.plusSeconds(60));
            assertThat(audit).as("refused reads are not reads").noneMatch(e -> e.actor().equals("ops.lee") && e.purpose().isEmpty()
                    && e.subject().equals(METER));
            assertThat(audit).anyMatch(e -> e.actor().equals("ops.lee") && e.action().equals("GET /api/v1/meters/{id}/readings")
                    && e.purpose().equals("alarm 17: leak check") && !e.detail().contains("purpose"));
            assertThat(audit).anyMatch(e -> e.actor().equals("bill.ma") && e.purpose().equals("dispute D-42"));
            assertThat(audit).anyMatch(e -> e.actor().equals("grafana") && e.subject().equals(METER) && e.purpose().isEmpty());
            assertThat(audit).anyMatch(e -> e.actor().equals("ops.lee") && e.action().equals("GET /console/meters/{id}")
                    && e.purpose().equals("customer enquiry"));
        }
    }

    @Test
    void onSqlite(@TempDir Path dir) throws Exception {
        purposes(new SqliteStore(dir.resolve("p.db")), "jdbc:sqlite:" + dir.resolve("p.db"));
    }

    @Test
    void onPostgres() throws Exception {
        try (PgTestDatabase db = PgTestDatabase.create()) {
            purposes(new PostgresStore(db.url()), db.url());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String url, String authorization, String purposeHeader) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET().header("Authorization", authorization)
                .timeout(Duration.ofMinutes(5));
        if (purposeHeader != null) b.header(PurposePolicy.HEADER, purposeHeader);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
