package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.ingest.StoreRetry;
import org.meterhub.engine.intake.IntakeSettings;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.FencedStore;
import org.meterhub.engine.intake.LeaseFences;
import org.meterhub.engine.intake.PartitionLeases;
import org.meterhub.engine.intake.PgAdvisoryLeases;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.MqttBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * Issue 21, resuming over MQTT after a store outage: while the engine's store is DOWN it answers each batch with a
 * "not now, again in …" (the time left of its store backoff), so the gateway resends when the engine tries the store
 * again instead of after its acknowledgement timeout; and once the engine has its partitions back (its leases went
 * with the database) it announces that it takes them again, so the gateway resends what the broker dropped while
 * nobody was subscribed. Real PostgreSQL of the test's own (stopped immediate and
 * started again), a private Mosquitto, the gateway's journal and forwarder and the engine intake in this JVM.
 */
class MqttStoreOutageResumeTest {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    /**
     * Far longer than the engine's backoff and lease refresh (about a second each here) and than any resume takes on a
     * loaded machine, so "acknowledged before the ack timeout" can only mean the nack or the ready announcement
     * brought the backlog. (The production default is 10 s; a 10 s budget was a window a machine with a load average of
     * 30 missed.) A first batch lost while the engine was still subscribing costs one such timeout before the outage.
     */
    static final Duration ACK_TIMEOUT = Duration.ofMinutes(3);
    static final int METERS = 40;

    static Reading reading(int meter, int k) {
        return new Reading(meterId(meter), T0.plusSeconds(900L * k), T0.plusSeconds(900L * k), 100_000L + 37L * k,
                ReadingSource.CJT188, Set.of(), 0);
    }

    static String meterId(int meter) {
        return String.format("3%013d", meter);
    }

    /** Leases nobody shares: the engine keeps its partitions and answers the outage's batches with nacks. */
    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void whileTheStoreIsDownTheEngineSaysWhenToSendAgainAndTheBacklogFlowsWithinItsBackoff(@TempDir Path dir) throws Exception {
        outageAndResume(dir, false);
    }

    /**
     * As engine-intake runs: leases (advisory locks) and fencing tokens in the same database, so the outage also takes
     * the engine's partitions away; what the gateway sends meanwhile is dropped by the broker unheard, and the engine's
     * ready announcement, once it has them back, makes the gateway resend at once.
     */
    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void withLeasesInTheSameDatabaseTheEnginesReadyAnnouncementBringsTheBacklog(@TempDir Path dir) throws Exception {
        outageAndResume(dir, true);
    }

    private void outageAndResume(Path dir, boolean leasesInTheStore) throws Exception {
        try (OwnPostgres pg = OwnPostgres.start(); MeterStore store = StoreFactory.open(pg.url());
             PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("mqtt"));
             Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("journal.db")).withPartitions(4),
                     JournalListener.NONE)) {
            for (int m = 0; m < METERS; m++) store.registerMeter(new MeterInfo(meterId(m), Medium.GAS, 100_000L, T0, MeterInfo.CJT188_CAPACITY_L));
            StoreHealth health = new StoreHealth(store.describe(), Clock.systemUTC());
            Topics topics = new Topics("mhtest-nack");
            IntakeSettings s = new IntakeSettings(broker.uri(), "meterhub-nack-engine", topics, 4, 256,
                    Duration.ofSeconds(1), Duration.ofSeconds(2));
            StoreRetry retry = new StoreRetry(Duration.ofMillis(250), Duration.ofSeconds(1));
            LeaseFences fences = leasesInTheStore ? new LeaseFences(store, "nack-engine", 4) : null;
            MeterStore target = leasesInTheStore ? new FencedStore(store, fences) : store;
            try (MqttIntake engine = new MqttIntake(s, leasesInTheStore ? new PgAdvisoryLeases(pg.url(), 4) : PartitionLeases.all(4),
                    fences, () -> IngestPipeline.withDefaults(target), retry, health).start();
                 Forwarder gateway = new Forwarder(journal, new MqttBatchTransport(broker.uri(), "nack-gw", topics,
                         Duration.ofSeconds(2)), new ForwarderSettings("nack-gw", 50, ACK_TIMEOUT, ACK_TIMEOUT),
                         Clock.systemUTC()).start()) {
                for (int m = 0; m < METERS; m++) journal.append(reading(m, 0));
                assertThat(gateway.awaitDrained(ACK_TIMEOUT.plus(ChildProcess.PATIENCE))).as("stored before the outage").isTrue();

                pg.stopImmediate();
                for (int k = 1; k <= 3; k++) for (int m = 0; m < METERS; m++) journal.append(reading(m, k));
                if (leasesInTheStore) {
                    // Whether a batch reached a commit before the leases failed is a race: wait for the leases.
                    SingleBoxStoreOutageTest.await("the partitions lost with the database", ChildProcess.PATIENCE,
                            () -> engine.stats().partitionsHeld() == 0);
                } else {
                    // Batches go out, the engine fails to commit, goes DOWN and answers every later arrival "not now";
                    // the gateway resends at the end of each backoff (1 s here), never waiting its ack timeout.
                    SingleBoxStoreOutageTest.await("the store DOWN and several nacks answered", ChildProcess.PATIENCE,
                            () -> health.down() && gateway.stats().nacks() >= 6);
                }
                long announcedBefore = gateway.stats().readyAnnouncements();
                assertThat(journal.stats().pending()).as("nothing of the outage acknowledged").isEqualTo(3L * METERS);

                pg.startServer();
                long back = System.nanoTime();
                SingleBoxStoreOutageTest.await("the backlog committed and acknowledged", ChildProcess.PATIENCE,
                        () -> journal.stats().pending() == 0);
                Duration resume = Duration.ofNanos(System.nanoTime() - back);
                System.out.printf("MQTT resume after a store outage (leases %s): backlog of %d readings acknowledged %d ms after"
                                + " PostgreSQL accepted connections again (gateway ack timeout %d ms, engine store retry %s..%s);"
                                + " %d nacks sent, %d received; %d ready announcements%n", leasesInTheStore ? "in the store" : "unshared",
                        3 * METERS, resume.toMillis(),
                        ACK_TIMEOUT.toMillis(), retry.initial(), retry.max(), engine.stats().nacksSent(), gateway.stats().nacks(),
                        gateway.stats().readyAnnouncements());
                assertThat(resume).as("bounded by the engine's lease refresh and store backoff, not the gateway's ack timeout")
                        .isLessThan(ACK_TIMEOUT);
                if (leasesInTheStore) {
                    assertThat(gateway.stats().readyAnnouncements()).as("the engine said it takes its partitions again")
                            .isGreaterThan(announcedBefore);
                }
                assertThat(health.down()).isFalse();
                assertThat(engine.stats().nacksSent()).isGreaterThanOrEqualTo(gateway.stats().nacks());
            }
            assertThat(store.readingCount()).as("every reading once").isEqualTo(4L * METERS);
        }
    }
}
