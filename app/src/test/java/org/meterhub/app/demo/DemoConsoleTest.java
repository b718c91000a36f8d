package org.meterhub.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.app.TestCli.meterhub;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestCli.Run;

/**
 * {@code ./meterhub demo} prints the console's address and a login for the run, and serves the console while
 * it runs (here {@code --duration 0}: until stopped, as Ctrl-C stops it): the printed URL answers, the printed
 * login works, the Fleet page counts the demo's meters, and afterwards the run's user is disabled.
 */
class DemoConsoleTest {
    static final Pattern CONSOLE = Pattern.compile("console: (http://127\\.0\\.0\\.1:\\d+/console/)\\s+\\(log in as (demo-[a-z0-9]+),"
            + " password (\\S+):");

    @Test
    void theDemoServesTheConsoleUntilItIsStopped(@TempDir Path dir) throws Exception {
        String store = "jdbc:sqlite:" + dir.resolve("demo.db");
        // The console's stale threshold from the YAML (simulated time: meters are read hourly); a journal of this test's own.
        Path cfg = dir.resolve("gateway.yaml");
        java.nio.file.Files.writeString(cfg, "journal:\n  path: " + dir.resolve("journal.db") + "\nconsole:\n  stale-after: 6h\n"
                + "  heat: {stale-after: 30m}\n");
        HttpClient http = HttpClient.newHttpClient();
        String base;
        String user;
        try (ChildProcess demo = ChildProcess.start(dir.resolve("demo.log"), "demo", "--meters", "12", "--dtus", "2",
                "--duration", "0", "--speed", "3600", "--nbiot-meters", "0", "--store", store, "--config", cfg.toString())) {
            demo.awaitOutput("console: http://", Duration.ofSeconds(90));
            Matcher m = CONSOLE.matcher(demo.output());
            assertThat(m.find()).as(demo.output()).isTrue();
            String url = m.group(1);
            user = m.group(2);
            base = url.substring(0, url.indexOf("/console/"));

            // The printed URL without a session goes to the login page, which is served.
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(303);
            assertThat(first.headers().firstValue("Location")).contains("/console/login");
            assertThat(get(http, base + "/console/login", null).body()).contains("<form method=\"post\" action=\"/console/login\">");

            // A wrong password is refused; the printed one logs in.
            assertThat(login(http, base, user, "not the password").statusCode()).isEqualTo(401);
            HttpResponse<String> login = login(http, base, user, m.group(3));
            assertThat(login.statusCode()).as(demo.output()).isEqualTo(303);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

            // The Fleet page counts the demo's meters; once polled, they are online on the demo's (simulated) clock.
            HttpResponse<String> fleet = get(http, url, cookie);
            assertThat(fleet.statusCode()).isEqualTo(200);
            assertThat(fleet.body()).contains("data-tile=\"meters\">12<").contains("Stale: no reading for more than 6h, heat meters 30m.");
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!get(http, url, cookie).body().contains("data-tile=\"online\">12<")) {
                assertThat(System.nanoTime()).as("every meter online within 5 min:\n" + demo.output()).isLessThan(deadline);
                assertThat(demo.alive()).as(demo.output()).isTrue();
                Thread.sleep(200); // between two looks at the page
            }
            // A meter's page with its chart data, while the demo writes to the same store.
            Matcher meter = Pattern.compile("href=\"/console/meters/(\\d+)").matcher(get(http, base + "/console/alarms", cookie).body());
            String meterId = meter.find() ? meter.group(1) : "30000000000001";
            HttpResponse<String> page = get(http, base + "/console/meters/" + meterId + "?step=hour", cookie);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("id=\"series\"").containsPattern("\"x\":\\[\\d+");
            // The API is served beside it, to the same session.
            assertThat(get(http, base + "/api/v1/alarms", cookie).statusCode()).isEqualTo(200);

            // Ctrl-C (SIGTERM): the demo finishes as usual, and the console stops with it.
            // 143: the JVM's exit on SIGTERM once the shutdown hook (the demo's clean stop) has finished
            assertThat(demo.stop(Duration.ofSeconds(90))).as(demo.output()).isIn(0, 143);
            assertThat(demo.output()).contains("ground truth: 12 of 12 meters");
        }
        Assertions.assertThatThrownBy(() -> get(http, base + "/console/login", null)).isInstanceOf(ConnectException.class);
        // The run's login opens nothing any more: its user is disabled (a new row; the user and audit stay).
        Run users = meterhub("users", "list", "--store", store);
        assertThat(users.exit()).as(users.err()).isZero();
        assertThat(users.out().lines().filter(l -> l.startsWith(user + " ")).findFirst().orElseThrow())
                .contains("operator").containsPattern("\\d{4}-\\d\\d-\\d\\d.*meterhub demo.*\\d{4}-\\d\\d-\\d\\d");
    }

    private static HttpResponse<String> login(HttpClient http, String base, String user, String password) throws Exception {
        String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(base + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient http, String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (cookie != null) b.header("Cookie", cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
