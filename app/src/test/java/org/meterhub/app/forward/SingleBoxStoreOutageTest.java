package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
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

/**
 * Issue 21, "a store failure is a state, not an end": gateway and engine in one process with a
 * PostgreSQL store (a server of the test's own), DTU simulators polled every 300 ms; the database
 * is stopped (immediate) mid-run while the meters keep answering, then started again. The box is
 * never restarted: the store goes DOWN (one alarm, status and health say so), readings wait in the
 * journal, and when the database is back everything that waited is committed, in order, once.
 */
class SingleBoxStoreOutageTest {

    /** How long the database stays away (issue 21: a 60 s outage mid-run). */
    static final Duration OUTAGE = Duration.ofSeconds(60);

    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void aDatabaseStoppedMidRunLosesAndDoublesNothingAndTheBoxResumesByItself(@TempDir Path dir) throws Exception {
        try (OwnPostgres pg = OwnPostgres.start(); MeterStore store = StoreFactory.open(pg.url());
             SimulatedField field = new SimulatedField(24, 3, 600, store, 21)) {
            field.recordAnswers();
            int port = SimulatedField.freePort();
            Path yaml = field.singleBoxConfig(dir, port, dir.resolve("journal.db").toString(),
                    "store-retry:\n  initial: 250ms\n  max: 2s\n");
            GatewayConfig cfg = new ConfigLoader().load(yaml, GatewayConfig.class);
            try (SingleBox box = new SingleBox(cfg, store, Clock.systemUTC(), SingleBox.pollSettings(cfg.poll()), 2)) {
                box.start();
                field.connect(port);
                Health health = new Health(box.storeHealth(), box.journal());
                await("readings stored before the outage", ChildProcess.PATIENCE, () -> box.ingestStats().stored() >= 100);
                assertThat(health.statusText()).startsWith("store: UP");

                pg.stopImmediate();
                long stoppedAt = System.nanoTime();
                await("the store DOWN", ChildProcess.PATIENCE, () -> box.storeHealth().down());
                long pendingAtDown = box.journal().stats().pending();
                // The meters go on answering and the journal keeps every reading, while the box retries with
                // backoff (250 ms doubling to 2 s: six attempts take about 8 s, the last ones at the cap). The
                // database stays away for the 60 s: a restart, a failover or a minor upgrade.
                await("readings journalled while the store is down for 60 s", ChildProcess.PATIENCE,
                        () -> box.journal().stats().pending() >= pendingAtDown + 200 && box.storeHealth().failures() >= 6
                                && System.nanoTime() - stoppedAt >= OUTAGE.toNanos());
                assertThat(health.statusText()).startsWith("store: DOWN since ");
                assertThat(health.healthy()).isFalse();
                assertThat(health.json().get("store").get("state").asText()).isEqualTo("DOWN");
                long waiting = box.journal().stats().pending();
                long downForMs = (System.nanoTime() - stoppedAt) / 1_000_000;

                pg.startServer();
                long startedAt = System.nanoTime();
                await("the store UP again", ChildProcess.PATIENCE, () -> !box.storeHealth().down());
                long upAfterMs = (System.nanoTime() - startedAt) / 1_000_000;
                await("the journal drained", ChildProcess.PATIENCE, () -> box.journal().stats().pending() < 50);
                long drainedAfterMs = (System.nanoTime() - startedAt) / 1_000_000;

                field.freezeAndAwaitFinalReadings(ChildProcess.PATIENCE);
                assertThat(box.finish(ChildProcess.PATIENCE)).as("everything journalled is stored").isTrue();
                assertThat(box.journal().stats().pending()).isZero();
                assertThat(box.storeHealth().alarms()).as("one alarm for one outage").isEqualTo(1);
                assertThat(box.storeHealth().rejected()).isZero();
                assertThat(health.healthy()).isTrue();
                assertThat(box.buses().stats().failedAttempts.get())
                        .as("no poll failed (a reply after the timeout is dropped by design; the comparison below needs none)")
                        .isZero();
                long replies = field.assertEveryAnswerStoredOnce();
                field.assertStoreEqualsGroundTruth();
                System.out.printf("store outage: DOWN for %d ms with %d readings waiting in the journal, %d failed attempts;"
                                + " UP %d ms after the database started, journal drained after %d ms; %d clean replies"
                                + " stored once each%n", downForMs, waiting, box.storeHealth().failures(), upAfterMs,
                        drainedAfterMs, replies);
            }
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
