package org.meterhub.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.meterhub.app.runtime.Observability;

/**
 * The files under {@code ops/} are checked by the tools that will read them: promtool for the alert rules and the
 * scrape config, systemd-analyze for the units; and every meterhub series the rules and the Grafana dashboard
 * query is one the process exports (a renamed metric breaks this test, not an operator's dashboard). Histograms
 * are compared by their base name.
 */
class OpsFilesTest {
    static final Path OPS = Path.of("..", "ops");
    static final Pattern SERIES = Pattern.compile("meterhub_[a-z_]+");

    @Test
    void promtoolAcceptsTheAlertRulesAndTheScrapeConfig() throws Exception {
        Run rules = run("promtool", "check", "rules", OPS.resolve("prometheus/alerts.yml").toString());
        assertThat(rules.exit).as(rules.out).isZero();
        assertThat(rules.out).contains("SUCCESS: 12 rules found");
        Run config = run("promtool", "check", "config", OPS.resolve("prometheus/prometheus.yml").toString());
        assertThat(config.exit).as(config.out).isZero();
    }

    @Test
    void theRulesAndTheDashboardQueryOnlySeriesMeterhubExports() throws Exception {
        // the series a real scrape is checked to have (GatewayMetricsScrapeTest), and any other this JVM exports
        Set<String> exported = new TreeSet<>();
        Matcher e = SERIES.matcher(Observability.endpoint().scrape() + " " + String.join(" ", GatewayMetricsScrapeTest.DOCUMENTED));
        while (e.find()) exported.add(e.group().replaceAll("_(bucket|count|sum)$", ""));
        JsonNode dashboard = new ObjectMapper().readTree(OPS.resolve("grafana/meterhub.json").toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) exprs.add(target.path("expr").asText());
        }
        assertThat(exprs).as("dashboard queries").hasSizeGreaterThanOrEqualTo(10);
        exprs.add(Files.readString(OPS.resolve("prometheus/alerts.yml")));
        Set<String> used = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = SERIES.matcher(expr);
            while (m.find()) used.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
        }
        assertThat(used).isNotEmpty();
        assertThat(exported).containsAll(used);
    }

    @Test
    void systemdAcceptsTheUnits() throws Exception {
        // Required, never skipped: ./run-tests (scripts/services.sh) installs it on a fresh machine.
        assertThat(Path.of("/usr/bin/systemd-analyze")).as("systemd-analyze (Debian package systemd)").isExecutable();
        for (String unit : List.of("meterhub-gateway.service", "meterhub-engine.service")) {
            Path file = OPS.resolve("systemd").resolve(unit);
            assertThat(Files.readString(file)).contains("Restart=always", "User=meterhub", "StateDirectory=meterhub",
                    "ProtectSystem=strict", "NoNewPrivileges=yes");
            // verify warns (and still exits 0) about unknown keys, keys in the wrong section, missing binaries
            Run verify = run("systemd-analyze", "verify", "--man=no", file.toAbsolutePath().normalize().toString());
            assertThat(verify.exit).as(verify.out).isZero();
            assertThat(verify.out.lines().filter(l -> l.contains(unit))).as(verify.out).isEmpty();
        }
    }

    record Run(int exit, String out) {
    }

    static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
