package org.meterhub.app.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.Main;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.forward.OwnPostgres;
import picocli.CommandLine;

/**
 * Issue 21, "a store failure is a state, not an end", for {@code meterhub import readings}: a file that takes
 * some seconds to import into PostgreSQL (a server of the test's own); the server is stopped (immediate) mid-import
 * and, once the import says the store is DOWN and has failed a few attempts, started again. The import finishes by
 * itself (exit 0): every distinct row stored once, each meter's consumption exactly its register difference, and
 * only the file's own duplicates counted as duplicates (rows read again after the failure are not).
 */
class ImportStoreOutageTest {
    static final int METERS = 250;
    static final int HOURS = 600;
    static final int DUPLICATE_EVERY = 997;

    @TempDir
    Path dir;

    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void aDatabaseStoppedMidImportLosesAndDoublesNothingAndTheImportFinishesByItself() throws Exception {
        Path csv = dir.resolve("readings.csv");
        long[] first = new long[METERS];
        long[] last = new long[METERS];
        long duplicates = 0;
        long distinct = 0;
        Random random = new Random(21);
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("meter,time,register,unit\n");
            long row = 0;
            for (int h = 0; h < HOURS; h++) {
                String time = start.plusSeconds(3600L * h).toString();
                for (int m = 0; m < METERS; m++) {
                    if (h == 0) first[m] = last[m] = 1_000L * (m + 1);
                    else last[m] += random.nextInt(40);
                    String line = "M" + m + "," + time + "," + last[m] + ",L\n";
                    w.write(line);
                    distinct++;
                    if (++row % DUPLICATE_EVERY == 0) { // the file's own duplicate: same meter, time and register
                        w.write(line);
                        duplicates++;
                    }
                }
            }
        }

        long total = distinct;
        try (OwnPostgres pg = OwnPostgres.start()) {
            String url = pg.url();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
                cmd.getErr().println("meterhub: " + ex.getMessage());
                ex.printStackTrace(cmd.getErr());
                cmd.getErr().flush();
                return ex instanceof ConfigException ? Main.EXIT_USAGE : 1;
            });
            ImportReadingsCommand command = (ImportReadingsCommand) cl.getSubcommands().get("import").getSubcommands()
                    .get("readings").getCommand();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread importing = new Thread(() -> exit.set(cl.execute("import", "readings", csv.toString(), "--store", url,
                    "--medium", "water", "--store-retry", "250ms", "--store-retry-max", "1s")), "import");
            importing.start();

            // Checkpoints every 40,000 readings, commits of 20,000: stopped at 60,000, the 20,000 fed after the checkpoint
            // at 40,000 are in the store, and the import must find them there (replayed) when it reads them again.
            await("a third of the rows stored", ChildProcess.PATIENCE,
                    () -> exit.get() == -1 && stored(url) >= total / 3);
            assertThat(exit.get()).as("the import still running when the database stops").isEqualTo(-1);
            long before = stored(url);
            pg.stopImmediate();
            await("the import says the store is DOWN and failed 3 attempts", ChildProcess.PATIENCE,
                    () -> command.health != null && command.health.down() && command.health.failures() >= 3);
            assertThat(err.toString()).contains("store DOWN since ");
            assertThat(importing.isAlive()).as("the import waits for the store instead of ending").isTrue();
            long failures = command.health.failures();

            pg.startServer();
            importing.join(Duration.ofSeconds(300).toMillis());
            assertThat(importing.isAlive()).as("the import finished").isFalse();
            assertThat(exit.get()).as("exit code; out:%n%s%nerr:%n%s", out, err).isZero();
            assertThat(err.toString()).contains("store UP again after ");
            assertThat(command.health.alarms()).as("one alarm for one outage").isEqualTo(1);

            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                assertThat(count(s, "select count(*) from readings")).as("readings stored: the distinct rows").isEqualTo(distinct);
                assertThat(count(s, "select count(distinct (meter_id, time)) from readings")).isEqualTo(distinct);
                Map<String, Long> consumed = new HashMap<>();
                try (ResultSet rs = s.executeQuery("select meter_id, sum(volume_l) from consumption group by meter_id")) {
                    while (rs.next()) consumed.put(rs.getString(1), rs.getLong(2));
                }
                assertThat(consumed).hasSize(METERS);
                for (int m = 0; m < METERS; m++) {
                    assertThat(consumed.get("M" + m)).as("consumption of M%d: its register difference", m)
                            .isEqualTo(last[m] - first[m]);
                }
                assertThat(count(s, "select count(*) from consumption")).as("one interval per hour and meter, none doubled")
                        .isEqualTo((long) METERS * (HOURS - 1));
            }
            String summary = out.toString();
            assertThat(summary).contains("stored " + distinct + ", duplicates " + duplicates + ", conflicts 0, rejected 0");
            assertThat(summary).contains("store: 1 outages (");
            // How many rows were committed after the last checkpoint depends on where the stop lands (none when it lands
            // right on a checkpoint, as on a slow machine): the totals above prove the replay either way.
            assertThat(summary).as("the replay from the last checkpoint is reported")
                    .containsPattern("resumed by itself \\d+ times from the last checkpoint; \\d+ rows read again were stored");
            System.out.printf("import outage: %d of %d readings stored when the database stopped; %d failed attempts while"
                    + " DOWN before it started again; %s", before, distinct, failures,
                    summary.lines().filter(l -> l.startsWith("store:") || l.startsWith("imported")).reduce("", (a, b) -> a + b + "; "));
            System.out.println();
        }
    }

    private static long stored(String url) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            return count(s, "select count(*) from readings");
        } catch (SQLException e) {
            return 0; // the schema not there yet
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("not within " + max + ": " + what);
            Thread.sleep(50);
        }
    }
}
