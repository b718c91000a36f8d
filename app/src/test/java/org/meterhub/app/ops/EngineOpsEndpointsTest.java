package org.meterhub.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;

/** {@code meterhub engine --http} serves /metrics and /health/live|ready beside its API, as a service manager runs it. */
class EngineOpsEndpointsTest {
    @TempDir
    Path dir;

    @Test
    void theEnginesHttpServerAnswersMetricsAndHealth() throws Exception {
        try (ChildProcess engine = ChildProcess.start(dir.resolve("engine.log"), "engine", "--store",
                "jdbc:sqlite:" + dir.resolve("mh.db"), "--http", "127.0.0.1:0", "--metrics-open")) {
            engine.awaitOutput("Ctrl-C stops", Duration.ofSeconds(60));
            Matcher m = Pattern.compile("HTTP API on http://127\\.0\\.0\\.1:(\\d+)/").matcher(engine.output());
            assertThat(m.find()).as(engine.output()).isTrue();
            String base = "http://127.0.0.1:" + m.group(1);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("meterhub_alarms_open{kind=\"GAS_LEAK_SUSPECTED\"} 0.0")
                    .contains("meterhub_readings_stored_total 0.0").contains("jvm_memory_used_bytes{area=\"heap\"}");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"READY\",\"checks\":{\"store\":\"UP\"}}");
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(engine.output()).as("the first start says how to add a user").contains("no users yet");
            HttpResponse<String> data = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alarms")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(data.statusCode()).as("only probes and (opened) metrics go without credentials").isEqualTo(401);
            engine.stop(Duration.ofSeconds(30));
            assertThat(engine.alive()).isFalse();
        }
    }
}
