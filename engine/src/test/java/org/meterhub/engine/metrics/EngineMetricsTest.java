package org.meterhub.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;

/** The engine's alarm series count raises once per alarm, and open / overdue come from the lifecycle; served as text. */
class EngineMetricsTest {
    static final Instant T = Instant.parse("2026-11-24T06:00:00Z");

    @Test
    void alarmsRaisedOpenAndOverdueByKindAreServedAsPrometheusText() throws Exception {
        TestClock clock = new TestClock(T);
        List<Alarm> published = new ArrayList<>();
        AlarmService alarms = new AlarmService(new InMemoryAlarmRepository(), AlarmDeadlines.defaults(),
                AlarmMetrics.counting(published::add), clock);
        AlarmMetrics.watch(alarms);
        double before = AlarmMetrics.RAISED.labelValues("BURST").get();
        Alarm a = alarms.raise(AlarmKind.BURST, "30000000000001", "burst", OptionalLong.empty(), T);
        alarms.escalate(a.id(), "still flowing", OptionalLong.of(5_000), T.plusSeconds(600), "escalated");
        alarms.raise(AlarmKind.BURST, "30000000000002", "burst", OptionalLong.empty(), T);
        assertThat(published).as("the sink still gets every step").hasSize(3);
        assertThat(AlarmMetrics.RAISED.labelValues("BURST").get() - before).as("an escalation is no new alarm").isEqualTo(2);

        clock.set(T.plus(Duration.ofDays(3))); // past every deadline of a leak
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/metrics", new MetricsEndpoint());
        server.start();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("meterhub_alarms_open{kind=\"BURST\"} 2.0")
                    .contains("meterhub_alarms_overdue{kind=\"BURST\"} 2.0")
                    .contains("meterhub_alarms_open{kind=\"TAMPER\"} 0.0")
                    .doesNotContain("30000000000001");
            HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        } finally {
            server.stop(0);
        }
    }
}
