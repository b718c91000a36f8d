package org.meterhub.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.BatchAck;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.intake.ReadingBatch;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/** The single-box hand-off: journal to forwarder to ingest pipeline to a real SQLite store. */
class ForwarderTest {
    static final Instant T0 = Instant.parse("2026-11-24T14:00:00Z");

    static Reading reading(int meter, int k) {
        return new Reading(String.format("3%013d", meter), T0.plusSeconds(900L * k), T0.plusSeconds(900L * k),
                100_000L + 37L * k, ReadingSource.CJT188, Set.of(), 0);
    }

    @Test
    void everythingJournalledReachesTheStoreOnceAndLeavesTheJournal(@TempDir Path dir) throws Exception {
        try (MeterStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("s.db"));
             Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("j.db")).withPartitions(4),
                     JournalListener.NONE)) {
            try (Forwarder f = new Forwarder(journal, new LocalBatchTransport(new BatchCommitter(
                    () -> IngestPipeline.withDefaults(store))), new ForwarderSettings("box", 50, Duration.ofSeconds(1),
                    Duration.ofSeconds(2)), Clock.systemUTC()).start()) {
                for (int k = 0; k < 10; k++) for (int m = 0; m < 40; m++) journal.append(reading(m, k));
                // A replay of readings the store already holds is harmless.
                for (int m = 0; m < 40; m++) journal.append(reading(m, 0));
                assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
                assertThat(f.stats().readingsAcknowledged()).isGreaterThanOrEqualTo(400);
            }
            assertThat(store.readingCount()).isEqualTo(400);
            assertThat(journal.stats().pending()).isZero();
            long total = store.intervals("30000000000007", T0, T0.plusSeconds(86_400)).stream()
                    .mapToLong(i -> i.volumeL()).sum();
            assertThat(total).as("consumption between first and last reading, counted once").isEqualTo(37L * 9);
        }
    }

    @Test
    void aLostBatchIsSentAgainAndOnlyAnAckRemovesIt(@TempDir Path dir) throws Exception {
        AtomicInteger sends = new AtomicInteger();
        AtomicLong pendingAtResend = new AtomicLong(-1);
        Journal[] journalRef = new Journal[1];
        BatchTransport lossy = new BatchTransport() {
            Consumer<BatchAck> acks;

            @Override
            public void start(Consumer<BatchAck> a) {
                acks = a;
            }

            @Override
            public boolean send(ReadingBatch batch) {
                if (sends.incrementAndGet() > 1) {
                    // what the resend finds: the unacknowledged batch is still journalled, however long it took
                    pendingAtResend.compareAndSet(-1, journalRef[0].stats().pending());
                    acks.accept(batch.ack());
                } // the first one vanishes
                return true;
            }

            @Override
            public long epoch() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
        try (Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("j.db")).withPartitions(1),
                JournalListener.NONE)) {
            journalRef[0] = journal;
            for (int m = 0; m < 5; m++) journal.append(reading(m, 1));
            journal.flush();
            try (Forwarder f = new Forwarder(journal, lossy, new ForwarderSettings("box", 100, Duration.ofMillis(300),
                    Duration.ofSeconds(1)), Clock.systemUTC()).start()) {
                assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
                assertThat(pendingAtResend.get()).as("unacknowledged: still journalled").isEqualTo(5);
                assertThat(f.stats().resent()).isEqualTo(1);
                assertThat(sends.get()).isEqualTo(2);
            }
            assertThat(journal.all()).isEqualTo(List.of());
        }
    }
}
