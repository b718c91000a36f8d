package org.meterhub.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/** The HTTP API over loopback, on a SQLite store holding {@link TestFleet}. */
class ApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METER = TestFleet.CUSTOMERS.get(0);
    private static final Instant NOW = Instant.parse("2024-02-03T00:00:00Z");

    @TempDir
    static Path dir;
    private static TimeSeriesStore store;
    private static ApiServer server;
    private static List<ConsumptionInterval> written;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        store = new SqliteStore(dir.resolve("api.db"));
        written = TestFleet.write(store);
        server = ApiServer.start(new InetSocketAddress("127.0.0.1", 0), store, ZoneId.of("Asia/Shanghai"),
                Clock.fixed(NOW, ZoneOffset.UTC), 2);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + pathAndQuery));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void dailyConsumptionAsJsonSumsTheIntervalsAndMarksEstimates() throws Exception {
        HttpResponse<String> r = get("/api/v1/meters/" + METER + "/consumption?from=2024-01-30&to=2024-02-03&step=1d",
                "X-Meterhub-User", "alice");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("series")).hasSize(4);
        assertThat(body.get("series").get(2).get("start").asText()).isEqualTo("2024-02-01T00:00:00+08:00");
        long expected = written.stream().filter(i -> i.meterId().equals(METER) && !i.start().isBefore(TestFleet.START)
                && i.start().isBefore(TestFleet.END)).mapToLong(ConsumptionInterval::volumeL).sum();
        assertThat(body.get("total_l").asLong()).isEqualTo(expected);
        long sum = 0;
        for (JsonNode b : body.get("series")) {
            sum += b.get("volume_l").asLong();
            assertThat(b.has("estimated")).isTrue();
            assertThat(b.get("flags").isArray()).isTrue();
            assertThat(b.get("estimated").asBoolean()).isEqualTo(b.get("flags").toString().contains("estimated"));
        }
        assertThat(sum).isEqualTo(expected);
        List<AuditEntry> audit = store.auditTrail(NOW.minusSeconds(1), NOW.plusSeconds(1));
        assertThat(audit).anyMatch(a -> a.actor().equals("alice") && a.subject().equals(METER)
                && a.action().equals("GET /api/v1/meters/{id}/consumption") && a.detail().contains("step=1d")
                && a.client().contains("127.0.0.1"));
    }

    @Test
    void csvByParameterOrAcceptHeader() throws Exception {
        HttpResponse<String> byParam = get("/api/v1/meters/" + METER + "/readings?from=2024-01-31&to=2024-02-01&format=csv");
        HttpResponse<String> byHeader = get("/api/v1/meters/" + METER + "/readings?from=2024-01-31&to=2024-02-01",
                "Accept", "text/csv");
        assertThat(byParam.statusCode()).isEqualTo(200);
        assertThat(byParam.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
        assertThat(byHeader.body()).isEqualTo(byParam.body());
        List<String> lines = byParam.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("time,received_at,meter_time,source,register_l,register_m3,status_bits,estimated,flags");
        assertThat(lines).hasSizeGreaterThan(80); // a day of quarter-hours, with gaps
        assertThat(lines).anyMatch(l -> l.endsWith(",low_battery"));
    }

    @Test
    void badParametersAre400NamingTheParameter() throws Exception {
        for (String[] c : List.of(new String[] {"?from=2024-01-30&to=2024-02-03&step=2w", "step"},
                new String[] {"?from=yesterday&to=2024-02-03", "from"},
                new String[] {"?from=2024-01-30", "to"},
                new String[] {"?from=2024-02-03&to=2024-01-30", "to"},
                new String[] {"?from=2024-01-30&to=2024-02-03&format=xml", "format"})) {
            HttpResponse<String> r = get("/api/v1/meters/" + METER + "/consumption" + c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("parameter").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(body.get("error").asText()).startsWith(c[1] + ":");
        }
        assertThat(JSON.readTree(get("/api/v1/top-consumers?from=2024-01-30&to=2024-02-03&limit=0").body())
                .get("parameter").asText()).isEqualTo("limit");
        assertThat(get("/api/v1/meters/nobody/consumption?from=2024-01-30&to=2024-02-03").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void healthDistrictTopAndAlarms() throws Exception {
        JsonNode health = JSON.readTree(get("/api/v1/meters/" + METER + "/health?from=2024-01-30&to=2024-02-03"
                + "&interval=15m").body());
        assertThat(health.get("reads_expected").asLong()).isEqualTo(4 * 24 * 4);
        assertThat(health.get("reads_received").asLong()).isBetween(300L, 384L);
        assertThat(health.get("read_success_rate").asText()).matches("0\\.[89][0-9]{3}");
        assertThat(health.get("battery").asText()).isIn("ok", "low");

        JsonNode balance = JSON.readTree(get("/api/v1/districts/" + TestFleet.DISTRICT
                + "/balance?from=2024-01-30&to=2024-02-03").body());
        assertThat(balance.get("loss_l").asLong())
                .isEqualTo(balance.get("inlet_l").asLong() - balance.get("customers_l").asLong()).isPositive();
        JsonNode district = JSON.readTree(get("/api/v1/districts/" + TestFleet.DISTRICT
                + "/consumption?from=2024-01-30&to=2024-02-03").body());
        assertThat(district.get("meters")).hasSize(TestFleet.CUSTOMERS.size());

        JsonNode top = JSON.readTree(get("/api/v1/top-consumers?from=2024-01-30&to=2024-02-03&limit=2").body());
        assertThat(top.get("meters")).hasSize(2);
        assertThat(top.get("meters").get(0).get("meter").asText()).isEqualTo(TestFleet.INLET);
        assertThat(top.get("meters").get(0).get("volume_l").asLong())
                .isGreaterThanOrEqualTo(top.get("meters").get(1).get("volume_l").asLong());

        JsonNode flags = JSON.readTree(get("/api/v1/meters/" + METER + "/flags?from=2024-01-30&to=2024-02-03").body());
        assertThat(flags.get("flags").size()).isPositive();

        HttpResponse<String> alarms = get("/api/v1/alarms");
        assertThat(alarms.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(alarms.body()).has("available")).isTrue();
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/api/v1/alarms")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }
}
