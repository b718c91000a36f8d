package org.meterhub.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Operators take and close alarms through the API ({@code POST /api/v1/alarms/{id}/acknowledge|resolve}):
 * each step names the person from the proxy's header, is audited, and is a new event of the alarm.
 */
class AlarmStepsApiTest {
    static final Instant NOW = Instant.parse("2024-02-03T00:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    private void steps(TimeSeriesStore store, String url) throws Exception {
        try (store; SqlDatabase db = SqlDatabase.open(url)) {
            JdbcAlarmRepository repo = new JdbcAlarmRepository(db);
            AlarmService service = new AlarmService(repo, AlarmDeadlines.defaults(), AlarmSink.none(),
                    Clock.fixed(NOW, ZoneOffset.UTC));
            Alarm leak = service.raise(AlarmKind.CONTINUOUS_FLOW, "30000000000101", "no flow-free hour in 24 h",
                    OptionalLong.of(900), NOW.minusSeconds(600));
            try (ApiServer api = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"),
                    Clock.fixed(NOW, ZoneOffset.UTC)).threads(2).alarms(service).start()) {
                String base = "http://127.0.0.1:" + api.address().getPort() + "/api/v1/alarms/";

                HttpResponse<String> anonymous = post(base + leak.id() + "/acknowledge", null);
                assertThat(anonymous.statusCode()).as("a step names who takes it").isEqualTo(400);
                assertThat(JSON.readTree(anonymous.body()).get("parameter").asText()).isEqualTo(ApiHandler.USER_HEADER);

                HttpResponse<String> ack = post(base + leak.id() + "/acknowledge", "fitter-7");
                assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
                JsonNode a = JSON.readTree(ack.body());
                assertThat(a.get("state").asText()).isEqualTo("ACKNOWLEDGED");
                assertThat(a.get("acknowledged_by").asText()).isEqualTo("fitter-7");
                assertThat(a.get("acknowledged_at").asText()).isEqualTo(NOW.toString());
                assertThat(a.get("observed_at").asText()).isEqualTo(NOW.minusSeconds(600).toString());
                assertThat(a.get("raised_at").asText()).isEqualTo(NOW.toString());
                assertThat(a.get("acknowledge_due").asText()).isEqualTo(NOW.plusSeconds(6 * 3600).toString());

                assertThat(post(base + leak.id() + "/acknowledge", "fitter-8").statusCode())
                        .as("acknowledged once").isEqualTo(409);
                HttpResponse<String> noNote = post(base + leak.id() + "/resolve", "fitter-7");
                assertThat(noNote.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(noNote.body()).get("parameter").asText()).isEqualTo("note");
                HttpResponse<String> resolved = post(base + leak.id() + "/resolve?note=joint%20resealed", "fitter-7");
                assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
                assertThat(JSON.readTree(resolved.body()).get("resolution").asText()).isEqualTo("joint resealed");
                assertThat(JSON.readTree(resolved.body()).get("resolve_met").asBoolean()).isTrue();

                // the month's report, from the query `meterhub alarms report` prints (NOW is 2024-02-03 in Shanghai)
                JsonNode report = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "report?month=2024-02"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                assertThat(report.get("applied").asLong()).isEqualTo(2);
                assertThat(report.get("percent_met").asText()).isEqualTo("100.0");
                assertThat(report.get("deadlines")).extracting(r -> r.get("kind").asText() + " " + r.get("deadline").asText()
                        + " " + r.get("met").asLong() + "/" + r.get("applied").asLong())
                        .containsExactly("CONTINUOUS_FLOW acknowledge 1/1", "CONTINUOUS_FLOW resolve 1/1");
                JsonNode january = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "report?month=2024-01"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                assertThat(january.get("deadlines")).isEmpty();
                assertThat(post(base + "424242/acknowledge", "fitter-7").statusCode()).isEqualTo(404);
                assertThat(post("http://127.0.0.1:" + api.address().getPort() + "/api/v1/alarms", "fitter-7").statusCode())
                        .isEqualTo(405);
            }
            assertThat(repo.history(leak.id())).extracting(org.meterhub.engine.alarm.AlarmStep::state)
                    .containsExactly(AlarmState.RAISED, AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED);
            assertThat(repo.history(leak.id()).get(2).note()).isEqualTo("joint resealed");
            assertThat(store.auditTrail(NOW.minusSeconds(1), NOW.plusSeconds(1)))
                    .anyMatch(e -> e.action().equals("POST /api/v1/alarms/{id}/resolve") && e.actor().equals("fitter-7")
                            && e.subject().equals(Long.toString(leak.id())));
        }
    }

    private HttpResponse<String> post(String url, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (user != null) b.header(ApiHandler.USER_HEADER, user);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onSqlite(@TempDir Path dir) throws Exception {
        steps(new SqliteStore(dir.resolve("api.db")), "jdbc:sqlite:" + dir.resolve("api.db"));
    }

    @Test
    void onPostgres() throws Exception {
        try (PgTestDatabase db = PgTestDatabase.create()) {
            steps(new PostgresStore(db.url()), db.url());
        }
    }
}
