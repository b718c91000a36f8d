package org.meterhub.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.FencedOutException;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;

/**
 * Two engines on the real PostgreSQL, each with its own store connections, lease session and
 * fencing tokens. Engine A loses its lease between decoding a batch and committing it, engine B
 * takes the partition over and goes on; A's late commit must change nothing.
 *
 * <p>The readings use uneven rates so that two engines computing intervals from different
 * previous readings produce overlapping rows with different keys: the unfenced control run shows
 * that this interleaving really does over-count, so the fenced run's exact total means something.
 */
class FencedTakeoverTest {
    private static final Instant T = Instant.parse("2026-01-05T10:00:00Z");
    private static PgTestDatabase db;

    @BeforeAll
    static void create() {
        db = PgTestDatabase.create();
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    /** Meter readings: 10:00, 10:20 (batch 1), 11:30 (batch 2, fast use), 12:30 (batch 3, slow use). */
    private static List<ReadingBatch> batches(String meter) {
        long[] minutes = {0, 20, 90, 150};
        long[] litres = {1_000, 1_200, 1_900, 2_000};
        List<BatchEntry> e = new ArrayList<>();
        for (int i = 0; i < minutes.length; i++) {
            Instant t = T.plusSeconds(60 * minutes[i]);
            e.add(new BatchEntry(i + 1, new Reading(meter, t, t, litres[i], ReadingSource.CJT188, Set.of(), 0)));
        }
        return List.of(ReadingBatch.of("gw-1", 0, T, e.subList(0, 2)), ReadingBatch.of("gw-1", 0, T, e.subList(2, 3)),
                ReadingBatch.of("gw-1", 0, T, e.subList(3, 4)));
    }

    private static final long TRUTH_L = 2_000 - 1_000;

    @Test
    void anEngineThatLostItsLeaseBetweenDecodeAndCommitWritesNothing() throws Exception {
        String meter = "30000000000071";
        try (PostgresStore storeA = new PostgresStore(db.url()); PostgresStore storeB = new PostgresStore(db.url());
             PgAdvisoryLeases leasesA = new PgAdvisoryLeases(db.url(), 1);
             PgAdvisoryLeases leasesB = new PgAdvisoryLeases(db.url(), 1)) {
            LeaseFences fencesA = new LeaseFences(storeA, "engine-a", 1);
            LeaseFences fencesB = new LeaseFences(storeB, "engine-b", 1);
            List<ReadingBatch> b = batches(meter);
            try (BatchCommitter a = committer(new FencedStore(storeA, fencesA));
                 BatchCommitter bc = committer(new FencedStore(storeB, fencesB))) {
                assertThat(leasesA.refresh()).containsExactly(0);
                long epochA = fencesA.take(0).epoch();
                a.commit(b.get(0));

                // A has decoded batch 3 (it is in A's hands) when its lease session breaks.
                terminateLeaseSessions();
                takeOver(leasesB);
                assertThat(fencesB.take(0).epoch()).isEqualTo(epochA + 1);
                bc.commit(b.get(1));

                assertThatThrownBy(() -> a.commit(b.get(2))).hasRootCauseInstanceOf(FencedOutException.class);
                bc.commit(b.get(2));
                bc.commit(b.get(2)); // the gateway's resend after A's missing ack: harmless
            }
            List<ConsumptionInterval> stored = storeB.intervals(meter, T, T.plusSeconds(86_400));
            assertThat(stored.stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(TRUTH_L);
            assertNoOverlap(stored);
            assertThat(storeB.readings(meter, T, T.plusSeconds(86_400))).hasSize(4);
        }
    }

    @Test
    void withoutTheFenceTheSameInterleavingOverCounts() throws Exception {
        String meter = "30000000000072";
        try (PostgresStore storeA = new PostgresStore(db.url()); PostgresStore storeB = new PostgresStore(db.url())) {
            List<ReadingBatch> b = batches(meter);
            try (BatchCommitter a = committer(storeA); BatchCommitter bc = committer(storeB)) {
                a.commit(b.get(0));
                bc.commit(b.get(1));
                a.commit(b.get(2)); // stale state: intervals from 10:20 to 12:30 at the average rate
                bc.commit(b.get(2));
            }
            long sum = storeB.intervals(meter, T, T.plusSeconds(86_400)).stream()
                    .mapToLong(ConsumptionInterval::volumeL).sum();
            assertThat(sum).as("the hazard the fence removes").isGreaterThan(TRUTH_L);
        }
    }

    @Test
    void aStaleFenceCommitsNothingAndTheCurrentOneCommits() {
        try (PostgresStore store = new PostgresStore(db.url()); PostgresStore other = new PostgresStore(db.url())) {
            var first = store.takeFence("partition/9", "a");
            var second = other.takeFence("partition/9", "b");
            assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
            Reading r = new Reading("30000000000073", T, T, 5, ReadingSource.CJT188, Set.of(), 0);
            assertThatThrownBy(() -> store.append(List.of(r), List.of(), List.of(first)))
                    .isInstanceOf(FencedOutException.class).hasMessageContaining("partition/9");
            assertThat(store.readings(r.meterId(), T, T.plusSeconds(1))).as("rolled back").isEmpty();
            other.append(List.of(r), List.of(), List.of(second));
            assertThat(store.readings(r.meterId(), T, T.plusSeconds(1))).hasSize(1);
        }
    }

    private static BatchCommitter committer(MeterStore store) {
        return new BatchCommitter(() -> IngestPipeline.withDefaults(store));
    }

    /** Ends every session holding a partition lease of this database, as a broken network would. */
    private static void terminateLeaseSessions() throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("select pg_terminate_backend(pid)"
                + " from pg_locks where locktype = 'advisory' and classid::bigint = ? and granted"
                + " and database = (select oid from pg_database where datname = current_database())")) {
            ps.setLong(1, PgAdvisoryLeases.PARTITION_SPACE);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a lease session to end").isTrue();
            }
        }
    }

    private static void takeOver(PgAdvisoryLeases leases) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (leases.refresh().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50); // the terminated backend releases its locks as it exits
        }
        assertThat(leases.refresh()).containsExactly(0);
    }

    private static void assertNoOverlap(List<ConsumptionInterval> intervals) {
        List<ConsumptionInterval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(ConsumptionInterval::start));
        for (int i = 1; i < sorted.size(); i++) {
            assertThat(sorted.get(i).start()).as("interval %s overlaps %s", sorted.get(i), sorted.get(i - 1))
                    .isAfterOrEqualTo(sorted.get(i - 1).end());
        }
    }
}
