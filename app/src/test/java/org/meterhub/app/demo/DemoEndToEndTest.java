package org.meterhub.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.app.TestCli.meterhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meterhub.app.TestCli.Run;
import org.meterhub.app.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's acceptance test: the demo runs end to end, and afterwards the store's
 * consumption for each meter equals, to the litre, what the simulator says it delivered.
 */
class DemoEndToEndTest {

    private static void assertTruthMatches(Run demo, String store) throws Exception {
        assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("readings/s");
        // overdue alarms are judged on the simulated clock the alarms were raised on
        assertThat(demo.out()).containsPattern("alarms: \\d+ open, \\d+ overdue at simulated \\d{4}-\\d\\d-\\d\\d");
        if (!demo.out().contains("alarms: 0 open")) {
            assertThat(demo.out()).containsPattern("\\./meterhub alarms list --at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d)?\\+08:00");
        }
        // the demo ends with a real bill of a simulated account (the cycle is open: a dry run)
        assertThat(demo.out()).containsPattern("a bill of simulated account demo-\\d+ \\(cycle \\d{4}-\\d\\d is still open")
                .contains("meter service: 2.00 CNY/month").containsPattern("total \\d+\\.\\d\\d CNY");
        Matcher m = Pattern.compile("ground truth: (\\d+) of (\\d+) meters").matcher(demo.out());
        assertThat(m.find()).as(demo.out()).isTrue();
        assertThat(m.group(1)).isEqualTo(m.group(2));

        // NB-IoT meters' daily batched uplinks (through a private Mosquitto: scripts/services.sh installs it):
        // every hour's stored consumption equals what the meter's register counted in that hour.
        assertThat(demo.out()).contains("uplinks went through a private Mosquitto on 127.0.0.1:");
        Matcher h = Pattern.compile("hourly ground truth: (\\d+) of (\\d+) NB-IoT meter-hours.*; (\\d+) differ")
                .matcher(demo.out());
        assertThat(h.find()).as(demo.out()).isTrue();
        assertThat(h.group(3)).isEqualTo("0");
        assertThat(h.group(1)).isEqualTo(h.group(2));
        // 5 meters (on time, a day late, a wrong clock) x (3 days x 24 hours - 1): a first frozen register only starts the count
        assertThat(Integer.parseInt(h.group(2))).isEqualTo(5 * (3 * 24 - 1));
        assertThat(Files.readAllLines(Path.of("data", "demo-hourly-truth.csv"))).hasSize(1 + 5 * (3 * 24 - 1));

        // The printed query command answers with the same total as the truth file.
        Matcher q = Pattern.compile("query consumption --meter (\\d+) --from (\\S+) --to (\\S+)").matcher(demo.out());
        assertThat(q.find()).isTrue();
        List<String> truth = Files.readAllLines(Path.of("data", "demo-truth.csv"));
        String row = truth.stream().filter(l -> l.startsWith(q.group(1) + ",")).findFirst().orElseThrow();
        long delivered = Long.parseLong(row.substring(row.lastIndexOf(',') + 1));
        assertThat(delivered).as("the simulated meter used some gas").isPositive();
        Run query = meterhub("query", "consumption", "--meter", q.group(1), "--from", q.group(2), "--to", q.group(3),
                "--step", "1h", "--format", "json", "--store", store);
        assertThat(query.exit()).as(query.err()).isZero();
        assertThat(query.out()).contains("\"total_l\":" + delivered + ",");
        assertThat(query.out()).contains("\"start\":");
    }

    @Test
    void demoOnSqliteStoresExactlyWhatTheMetersDelivered(@TempDir Path dir) throws Exception {
        String store = "jdbc:sqlite:" + dir.resolve("demo.db");
        Run demo = meterhub("demo", "--meters", "30", "--dtus", "3", "--duration", "6s", "--speed", "3600", "--nbiot-meters", "5", "--nbiot-days", "3",
                "--store", store);
        assertTruthMatches(demo, store);

        // A second run on the same store continues the meters' history and still adds up.
        Run again = meterhub("demo", "--meters", "30", "--dtus", "3", "--duration", "4s", "--speed", "3600", "--nbiot-meters", "5", "--nbiot-days", "3",
                "--store", store);
        assertTruthMatches(again, store);
    }

    @Test
    void demoOnPostgresqlStoresExactlyWhatTheMetersDelivered() throws Exception {
        try (TestDatabases.Database db = TestDatabases.createPostgres()) {
            Run demo = meterhub("demo", "--meters", "20", "--dtus", "2", "--duration", "5s", "--speed", "3600", "--nbiot-meters", "5", "--nbiot-days", "3",
                    "--store", db.url());
            assertTruthMatches(demo, db.url());
        }
    }

    @Test
    void aBrokenConfigLineIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("gateway.yaml");
        Files.writeString(cfg, "dtu:\n  listen: 0.0.0.0:7700\n  idle-timeout: forever\n");
        Run run = meterhub("demo", "--config", cfg.toString(), "--duration", "1s");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n")
                .startsWith("meterhub: " + cfg + ":3: dtu.idle-timeout:");
    }

    @Test
    void wrongOptionValuesAreUsageErrors() {
        assertThat(meterhub("demo", "--meters", "0").exit()).isEqualTo(2);
        assertThat(meterhub("demo", "--duration", "soon").err()).contains("--duration");
        assertThat(meterhub("demo", "--nbiot-days", "2").err()).contains("--nbiot-days: expected 1, 3 or 5, got 2");
        assertThat(meterhub("query", "consumption", "--meter", "1", "--from", "yesterday", "--to", "2026-11-25",
                "--store", "jdbc:sqlite:/nonexistent/x.db").exit()).isEqualTo(2);
    }
}
