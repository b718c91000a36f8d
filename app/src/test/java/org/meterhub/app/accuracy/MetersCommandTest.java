package org.meterhub.app.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.app.Main;
import org.meterhub.engine.store.StoreFactory;

/** docs/accuracy.md's lifecycle example through the commands: an LPG meter refused at issue, FIFO, the due list. */
class MetersCommandTest {
    @TempDir
    Path dir;
    String url;


    @BeforeEach
    void store() {
        url = "jdbc:sqlite:" + dir.resolve("meterhub.db");
        StoreFactory.open(url).close();
    }

    @Test
    void lpgRefusedFifoAndDue() throws IOException {
        add("L1", "lpg", "2020-03-01", "2020-05-10");
        TestCli.Run refused = run("meters", "issue", "--gas", "lpg", "--date", "2026-12-07", "--store", url);
        assertThat(refused.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(refused.err().strip()).isEqualTo("meterhub: no lpg meter in stock can be issued for routine:"
                + " L1 is an LPG meter older than 6 years (from 2020-03-01)");
        add("L3", "lpg", "2022-11-01", "2023-01-10");
        add("L2", "lpg", "2021-06-01", "2021-07-15");
        TestCli.Run issued = run("meters", "issue", "--gas", "lpg", "--reason", "dispute", "--for", "dispute case 1", "--date", "2026-12-07", "--store", url);
        assertThat(issued.out()).contains("passed over L1: is an LPG meter older than 6 years (from 2020-03-01)",
                "issued L2 (Goldcard G2.5, serial SN-L2, first verification 2021-07-15)");
        assertThat(run("meters", "show", "--meter", "L2", "--store", url).out()).contains("state ISSUED", "issued (dispute) for dispute case 1");
        TestCli.Run due = run("meters", "due", "--date", "2026-12-07", "--store", url);
        assertThat(due.out()).contains("meters due on 2026-12-07: 1; next scrap review 2026-12-26", "L1", "SCRAP_REVIEW",
                "LPG limit 6 years from 2020-03-01 ended 2026-03-01; in stock");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "lifecycle:\n  lpg-limit-years: 8\n");
        assertThat(run("meters", "due", "--date", "2026-12-07", "--rules", rules.toString(), "--store", url).out()).contains("meters due on 2026-12-07: 0");
        Files.writeString(rules, "lifecycle:\n  scrap-review-day: 31\n");
        TestCli.Run bad = run("meters", "due", "--rules", rules.toString(), "--store", url);
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err().strip()).isEqualTo("meterhub: " + rules + ":2: lifecycle.scrap-review-day: expected 1..28, got 31");
        TestCli.Run state = run("meters", "state", "--meter", "L3", "--to", "installed", "--store", url);
        assertThat(state.err().strip()).isEqualTo("meterhub: meter L3 is IN_STOCK: it can go to [ISSUED, UNDER_TEST, SCRAPPED], not INSTALLED");
    }

    private void add(String id, String gas, String produced, String verified) {
        TestCli.Run r = run("meters", "add", "--meter", id, "--brand", "Goldcard", "--model", "G2.5", "--serial", "SN-" + id, "--produced", produced,
                "--verified", verified, "--gas", gas, "--date", verified, "--store", url);
        assertThat(r.exit()).as(r.err()).isZero();
    }

    private static TestCli.Run run(String... args) {
        return TestCli.meterhub(args);
    }
}
