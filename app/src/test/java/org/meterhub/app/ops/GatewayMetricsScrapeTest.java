package org.meterhub.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.read.AdminServer;
import org.meterhub.app.runtime.Health;
import org.meterhub.app.runtime.HealthEndpoint;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * Issue 16, metrics and health, end to end on a single box: CJ/T 188 meters behind a simulated DTU are polled into
 * a SQLite store; the admin endpoint serves {@code /metrics} and {@code /health/*}. The scrape has the documented
 * series with values that moved, and no label value is a meter id or DTU id. Then Debian's real Prometheus, on a
 * loopback port of its own with a generated scrape config and the project's alert rules, scrapes it: its HTTP API
 * shows the target up, meterhub's series stored and every alert rule loaded.
 */
class GatewayMetricsScrapeTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final List<String> METERS = List.of("30000000000101", "30000000000102", "30000000000103");
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Path OPS = Path.of("..", "ops");
    /** A meter id as they are written: 8 or more digits (CJ/T 188 addresses have 14), or any configured id. */
    static final Pattern METER_ID_LIKE = Pattern.compile("\\d{8,}");
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Every series docs/operations.md lists, as the text format names them. */
    static final List<String> DOCUMENTED = List.of(
            "meterhub_readings_received_total", "meterhub_readings_stored_total", "meterhub_readings_rejected_total",
            "meterhub_store_write_seconds_bucket", "meterhub_poll_latency_seconds_bucket", "meterhub_polls_total",
            "meterhub_journal_backlog_readings", "meterhub_journal_used_bytes", "meterhub_journal_writable",
            "meterhub_journal_fsync_seconds_bucket", "meterhub_mqtt_uplinks_total", "meterhub_mqtt_uplinks_rejected_total",
            "meterhub_alarms_raised_total", "meterhub_alarms_open", "meterhub_alarms_overdue",
            "meterhub_buses", "meterhub_buses_connected", "meterhub_buses_failing",
            "jvm_memory_used_bytes", "jvm_threads_current", "process_cpu_seconds_total");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theAdminEndpointServesMetricsAndHealthAndARealPrometheusScrapesThem() throws Exception {
        List<SimulatedCjt188Meter> meters = new ArrayList<>();
        for (int i = 0; i < METERS.size(); i++) {
            meters.add(SimulatedCjt188Meter.gas(MeterAddress.of(METERS.get(i)), 1_000_000 + 10 * i, CLOCK, ZONE,
                    new UsageProfile(800, false), i));
        }
        String yaml = """
                dtu:
                  listen: 127.0.0.1:0
                poll:
                  interval: 200ms
                  jitter: 0s
                  timeout: 30s
                  inter-frame-delay: 2ms
                  first-poll-spread: 0s
                journal:
                  path: %s
                buses:
                  - dtu: DTU-METRICS-1
                    meters:
                      - id: "%s"
                      - id: "%s"
                      - id: "%s"
                admin:
                  listen: 127.0.0.1:0
                """.formatted(dir.resolve("journal.db"), METERS.get(0), METERS.get(1), METERS.get(2));
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        try (MeterStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("mh.db"));
             SingleBox box = new SingleBox(cfg, store, CLOCK, SingleBox.pollSettings(cfg.poll()), 1)) {
            SingleBox.registerMeters(store, cfg, NOW);
            InetSocketAddress at = box.start();
            new SimulatedDtu("DTU-METRICS-1", meters, WireModel.instant(), Duration.ofSeconds(20), 7)
                    .connect(simGroup, at).syncUninterruptibly();
            await("readings stored", ChildProcess.PATIENCE, () -> box.ingestStats().stored() >= 6);
            HealthEndpoint health = new HealthEndpoint(new Health(box.storeHealth(), box.journal()));
            try (AdminServer admin = AdminServer.forConfig(cfg.admin(), box::readNow, health)) {
                String base = "http://127.0.0.1:" + admin.address().getPort();
                scrapeHasTheSeriesAndNoMeterIds(base);
                healthEndpointsAnswer(base);
                realPrometheusScrapes(admin.address().getPort());
            }
            assertThat(box.finish(Duration.ofMinutes(5))).isTrue();
        } finally {
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private void scrapeHasTheSeriesAndNoMeterIds(String base) throws Exception {
        HttpResponse<String> r = get(base + "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String text = r.body();
        List<String> names = new ArrayList<>();
        List<String> offending = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.find()).as("a sample line: %s", line).isTrue();
            names.add(m.group(1));
            if (m.group(3) == null) continue;
            Matcher l = LABEL.matcher(m.group(3));
            while (l.find()) {
                String value = l.group(2);
                if (METER_ID_LIKE.matcher(value).find() || METERS.contains(value) || value.contains("DTU-METRICS")) {
                    offending.add(line);
                }
            }
        }
        assertThat(offending).as("label values that look like a meter or DTU id").isEmpty();
        assertThat(names).containsAll(DOCUMENTED);
        assertThat(value(text, "meterhub_readings_stored_total", "")).isGreaterThanOrEqualTo(6);
        assertThat(value(text, "meterhub_readings_received_total", "")).isGreaterThanOrEqualTo(6);
        assertThat(value(text, "meterhub_poll_latency_seconds_count", "bus_kind=\"dtu-cjt188\"")).isGreaterThanOrEqualTo(6);
        assertThat(value(text, "meterhub_polls_total", "bus_kind=\"dtu-cjt188\",outcome=\"reading\"")).isGreaterThanOrEqualTo(6);
        assertThat(value(text, "meterhub_journal_fsync_seconds_count", "")).isGreaterThan(0);
        assertThat(value(text, "meterhub_store_write_seconds_count", "")).isGreaterThan(0);
        assertThat(value(text, "meterhub_journal_writable", "")).isEqualTo(1);
        // the box's one DTU bus, connected, its polls good: counted per kind, the DTU id is no label
        assertThat(value(text, "meterhub_buses", "bus_kind=\"dtu-cjt188\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "meterhub_buses_connected", "bus_kind=\"dtu-cjt188\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "meterhub_buses_failing", "bus_kind=\"dtu-cjt188\"")).isZero();
        assertThat(text).doesNotContain("DTU-METRICS-1");
        assertThat(value(text, "meterhub_alarms_open", "kind=\"BURST\"")).as("the box's alarm lifecycle is watched").isZero();
        assertThat(text).contains("meterhub_readings_rejected_total{reason=\"journal_full\"}")
                .contains("meterhub_mqtt_uplinks_rejected_total{reason=\"bad_json\"}");
    }

    private void healthEndpointsAnswer(String base) throws Exception {
        HttpResponse<String> live = get(base + "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json.readTree(live.body()).get("status").asText()).isEqualTo("UP");
        HttpResponse<String> ready = get(base + "/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonNode checks = json.readTree(ready.body()).get("checks");
        assertThat(checks.get("store").asText()).isEqualTo("UP");
        assertThat(checks.get("journal").asText()).isEqualTo("UP");
        HttpResponse<String> old = get(base + "/health");
        assertThat(old.statusCode()).isEqualTo(200);
        assertThat(json.readTree(old.body()).get("journal").get("state").asText()).as("the detailed /health stays")
                .isEqualTo("WRITING");
        assertThat(get(base + "/health/nope").statusCode()).isEqualTo(404);
    }

    /** Debian's prometheus on a free loopback port, scraping every second, with the project's alert rules. */
    private void realPrometheusScrapes(int metricsPort) throws Exception {
        Path binary = Path.of("/usr/bin/prometheus");
        assertThat(binary).as("Debian's prometheus (scripts/services.sh installs it)").isExecutable();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path rules = OPS.resolve("prometheus/alerts.yml").toAbsolutePath().normalize();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: meterhub-gateway
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(rules, metricsPort));
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "prometheus-" + p.pid() + "-exit"));
        try {
            String api = "http://127.0.0.1:" + port + "/api/v1/";
            await("Prometheus scraped meterhub as up", ChildProcess.PATIENCE, () -> {
                JsonNode t = apiGet(api + "targets", p, log);
                if (t == null) return false;
                for (JsonNode target : t.path("data").path("activeTargets")) {
                    if (target.path("health").asText().equals("up")) return true;
                }
                return false;
            });
            await("meterhub's series in Prometheus", ChildProcess.PATIENCE, () -> {
                JsonNode q = apiGet(api + "query?query=" + URLEncoder.encode(
                        "meterhub_readings_stored_total{job=\"meterhub-gateway\"}", StandardCharsets.UTF_8), p, log);
                if (q == null) return false;
                JsonNode result = q.path("data").path("result");
                return result.size() == 1 && result.get(0).path("value").get(1).asDouble() >= 6;
            });
            JsonNode kinds = apiGet(api + "query?query=" + URLEncoder.encode(
                    "count by (bus_kind) (meterhub_poll_latency_seconds_bucket)", StandardCharsets.UTF_8), p, log);
            assertThat(kinds.path("data").path("result").get(0).path("metric").path("bus_kind").asText()).isEqualTo("dtu-cjt188");
            JsonNode loaded = apiGet(api + "rules", p, log);
            int rulesLoaded = 0;
            for (JsonNode g : loaded.path("data").path("groups")) rulesLoaded += g.path("rules").size();
            assertThat(rulesLoaded).as("alert rules Prometheus loaded from ops/prometheus/alerts.yml").isEqualTo(12);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }

    /** The JSON of a Prometheus API call, or null while it does not answer yet; fails when Prometheus exited. */
    private JsonNode apiGet(String url, Process p, Path log) {
        try {
            HttpResponse<String> r = get(url);
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (java.io.IOException e) {
            if (!p.isAlive()) {
                String out;
                try {
                    out = Files.readString(log);
                } catch (java.io.IOException io) {
                    out = "(no log)";
                }
                throw new AssertionError("prometheus exited " + p.exitValue() + ":\n" + out);
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private HttpResponse<String> get(String url) throws java.io.IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(ChildProcess.PATIENCE).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the sample {@code name{labels}} (labels as written, empty for none). */
    static double value(String text, String name, String labels) {
        String prefix = labels.isEmpty() ? name + " " : name + "{" + labels + "} ";
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) return Double.parseDouble(line.substring(prefix.length()).split(" ")[0]);
        }
        throw new AssertionError("no sample " + prefix.trim() + " in:\n" + text);
    }

    static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + max + ": " + what);
            Thread.sleep(50);
        }
    }
}
