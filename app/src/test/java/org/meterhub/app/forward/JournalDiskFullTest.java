package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.app.forward.SingleBoxStoreOutageTest.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.Health;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.journal.JournalStats;

/**
 * Issue 21, "journal write errors recover": the journal lives on a small file system (tmpfs)
 * that is filled to the last byte mid-run and freed again. SQLite fails its commits (SQLITE_FULL);
 * the journal rolls back, keeps the readings of the failed commit and retries; the pollers pause
 * (nothing read and thrown away) and resume by themselves when the space is back. Every clean
 * reply the meters sent is stored once, last registers exact.
 */
class JournalDiskFullTest {

    /** How long the disk stays full (issue 21: 40 s). */
    static final Duration FULL_FOR = Duration.ofSeconds(40);

    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void aFullJournalDiskPausesPollingAndEverythingResumesWhenSpaceReturns(@TempDir Path dir) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("journal-fs"), 16);
             MeterStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("store.db"));
             SimulatedField field = new SimulatedField(24, 3, 600, store, 22)) {
            field.recordAnswers();
            int port = SimulatedField.freePort();
            Path yaml = field.singleBoxConfig(dir, port, disk.dir().resolve("journal.db").toString(),
                    "  min-free-disk: 4MiB\n");
            GatewayConfig cfg = new ConfigLoader().load(yaml, GatewayConfig.class);
            try (SingleBox box = new SingleBox(cfg, store, Clock.systemUTC(), SingleBox.pollSettings(cfg.poll()), 2)) {
                box.start();
                field.connect(port);
                Health health = new Health(box.storeHealth(), box.journal());
                JournalStats j = box.journal().stats();
                await("readings stored before the disk fills", ChildProcess.PATIENCE, () -> box.ingestStats().stored() >= 50);
                assertThat(j.diskLow()).isFalse();

                long filled = disk.fill();
                long filledAt = System.nanoTime();
                await("the early alarm: free disk below min-free-disk", ChildProcess.PATIENCE, j::diskLow);
                // The WAL grows with the next commits: SQLite meets the full disk.
                await("the journal cannot write", ChildProcess.PATIENCE, () -> !j.writable());
                long failedAfterMs = (System.nanoTime() - filledAt) / 1_000_000;
                assertThat(health.statusText()).contains("journal: CANNOT WRITE since ");
                assertThat(health.json().get("journal").get("state").asText()).isEqualTo("CANNOT_WRITE");
                assertThat(health.healthy()).isFalse();
                int buses = field.fleet.dtus().size();
                await("every bus paused its polling", ChildProcess.PATIENCE,
                        () -> box.buses().stats().pauses.get() >= buses);
                long pollsWhenPaused = box.buses().stats().polls.get();
                long failuresWhenPaused = j.writeFailures();
                // More failed attempts (about a second apart) while the disk stays full for the 40 s: the
                // pollers stay paused meanwhile.
                await("the journal keeps retrying on a disk full for 40 s", ChildProcess.PATIENCE,
                        () -> j.writeFailures() >= failuresWhenPaused + 4 && System.nanoTime() - filledAt >= FULL_FOR.toNanos());
                assertThat(box.buses().stats().polls.get()).as("no meter read while the journal cannot write")
                        .isEqualTo(pollsWhenPaused);
                assertThat(j.writable()).isFalse();

                disk.free();
                long freedAt = System.nanoTime();
                await("the journal writes again", ChildProcess.PATIENCE, j::writable);
                long writableAfterMs = (System.nanoTime() - freedAt) / 1_000_000;
                await("polling resumed", ChildProcess.PATIENCE, () -> box.buses().stats().polls.get() > pollsWhenPaused + buses);
                long pollingAfterMs = (System.nanoTime() - freedAt) / 1_000_000;
                await("the disk-low alarm cleared", ChildProcess.PATIENCE, () -> !j.diskLow());

                field.freezeAndAwaitFinalReadings(ChildProcess.PATIENCE);
                assertThat(box.finish(ChildProcess.PATIENCE)).isTrue();
                assertThat(j.pending()).isZero();
                assertThat(j.refused()).as("no reading refused").isZero();
                assertThat(j.reopens()).as("the journal reopened its file after the failure").isPositive();
                assertThat(box.buses().stats().failedAttempts.get()).as("no poll failed").isZero();
                long replies = field.assertEveryAnswerStoredOnce();
                field.assertStoreEqualsGroundTruth();
                assertThat(health.healthy()).isTrue();
                System.out.printf("journal disk full: filled %d bytes; commits failed %d ms later (%d failed attempts);"
                                + " writing again %d ms after the space returned, polling %d ms after; %d clean replies"
                                + " stored once each%n", filled, failedAfterMs, j.writeFailures(), writableAfterMs,
                        pollingAfterMs, replies);
            }
        }
    }
}
