package org.meterhub.gateway.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.intake.BatchEntry;
import org.meterhub.engine.intake.Partitions;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

class JournalTest {
    static final Instant T0 = Instant.parse("2026-11-24T14:00:00Z");

    static Reading reading(int meter, int k) {
        return new Reading(String.format("3%013d", meter), T0.plusSeconds(900L * k), T0.plusSeconds(900L * k + 1),
                1000L * k + meter, ReadingSource.CJT188, Set.of(), 0);
    }

    @Test
    void aVolumeConvertersValuesSurviveTheJournalExactly(@TempDir Path dir) throws Exception {
        Reading evc = new Reading("EVC-1", T0, T0, 5_200_000, ReadingSource.MODBUS, Set.of(), 0, T0,
                new org.meterhub.engine.reading.ConverterValues(5_000_123, new java.math.BigDecimal("103.40"),
                        new java.math.BigDecimal("12.0")));
        JournalSettings s = JournalSettings.defaults(dir.resolve("j.db"));
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            j.append(evc).get();
            j.append(reading(1, 1)).get();
        }
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            assertThat(j.all()).extracting(BatchEntry::reading).containsExactly(evc, reading(1, 1));
            assertThat(j.all().get(0).reading().converter().temperatureC()).hasToString("12.0");
            assertThat(j.all().get(1).reading().converter()).isNull();
        }
    }

    @Test
    void entriesSurviveAReopenWithEveryFieldAndLeaveOnlyWhenAcknowledged(@TempDir Path dir) throws Exception {
        JournalSettings s = JournalSettings.defaults(dir.resolve("j.db")).withPartitions(4);
        Reading skewed = new Reading("30000000000077", T0, T0, 5, ReadingSource.CJT188,
                EnumSet.of(ReadingFlag.CLOCK_SKEW), 3, T0.minusSeconds(7200));
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            j.append(skewed).get();
            for (int m = 0; m < 20; m++) j.append(reading(m, 1));
            j.flush();
            assertThat(j.stats().pending()).isEqualTo(21);
        }
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            assertThat(j.stats().pending()).as("nothing lost across a reopen").isEqualTo(21);
            List<BatchEntry> all = j.all();
            assertThat(all.get(0).reading()).isEqualTo(skewed);
            int p = Partitions.of("30000000000077", 4);
            List<BatchEntry> batch = j.oldest(p, 1000);
            assertThat(batch).allSatisfy(e -> assertThat(Partitions.of(e.reading().meterId(), 4)).isEqualTo(p));
            assertThat(batch).extracting(BatchEntry::seq).isSorted();
            long total = 0;
            for (int q = 0; q < 4; q++) total += j.pendingIn(q);
            assertThat(total).isEqualTo(21);
            assertThat(j.acknowledge(p, batch.get(0).seq(), batch.get(batch.size() - 1).seq())).isEqualTo(batch.size());
            assertThat(j.acknowledge(p, batch.get(0).seq(), batch.get(batch.size() - 1).seq())).as("repeat ack").isZero();
            assertThat(j.pendingIn(p)).isZero();
            assertThat(j.stats().pending()).isEqualTo(21 - batch.size());
        }
    }

    @Test
    void readingsArrivingWithinTheCommitLingerShareOneCommit(@TempDir Path dir) throws Exception {
        JournalSettings s = JournalSettings.defaults(dir.resolve("j.db")).withCommitLinger(java.time.Duration.ofMillis(500));
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int m = 0; m < 200; m++) acks.add(j.append(reading(m, 1)));
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
            assertThat(j.stats().commits()).as("one fsync for the burst").isEqualTo(1);
            assertThat(j.stats().appended()).isEqualTo(200);
        }
        try (Journal j = Journal.open(s.withCommitLinger(java.time.Duration.ZERO), JournalListener.NONE)) {
            j.append(reading(500, 1)).get();
            assertThat(j.all()).hasSize(201);
        }
        assertThatThrownBy(() -> s.withCommitLinger(java.time.Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commit-linger");
    }

    @Test
    void theSameReadingTwiceIsJournalledOnce(@TempDir Path dir) throws Exception {
        try (Journal j = Journal.open(JournalSettings.defaults(dir.resolve("j.db")), JournalListener.NONE)) {
            j.append(reading(1, 1)).get();
            j.append(reading(1, 1)).get();
            assertThat(j.all()).hasSize(1);
            assertThat(j.stats().duplicates()).isEqualTo(1);
        }
    }

    @Test
    void aFullJournalRefusesNewReadingsAndKeepsEveryOldOne(@TempDir Path dir) throws Exception {
        List<JournalLevel> levels = new ArrayList<>();
        JournalSettings s = JournalSettings.defaults(dir.resolve("j.db")).withMaxBytes(1 << 20, 50);
        try (Journal j = Journal.open(s, (level, used, max) -> levels.add(level))) {
            int k = 0;
            CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
            while (j.stats().level() != JournalLevel.FULL && k < 200_000) {
                for (int m = 0; m < 100; m++) last = j.append(reading(m, k));
                k++;
                j.flush();
            }
            assertThat(j.stats().level()).isEqualTo(JournalLevel.FULL);
            assertThat(levels).containsSubsequence(JournalLevel.NEARLY_FULL, JournalLevel.FULL);
            long kept = j.stats().pending();
            CompletableFuture<Void> refused = j.append(reading(1, k + 1));
            assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(JournalFullException.class).hasMessageContaining("full");
            assertThat(j.stats().refused()).isPositive();
            assertThat(j.all()).as("the oldest reading is still there").first()
                    .satisfies(e -> assertThat(e.reading()).isEqualTo(reading(0, 0)));
            assertThat(j.stats().pending()).isEqualTo(kept);
            // The engine catches up: space frees and readings are accepted again.
            for (int p = 0; p < s.partitions(); p++) j.acknowledge(p, 1, Long.MAX_VALUE);
            assertThat(j.stats().level()).isEqualTo(JournalLevel.OK);
            j.append(reading(1, k + 2)).get();
            assertThat(j.stats().pending()).isEqualTo(1);
        }
    }

    @Test
    void changingThePartitionCountMovesWaitingEntries(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(JournalSettings.defaults(file).withPartitions(4), JournalListener.NONE)) {
            for (int m = 0; m < 50; m++) j.append(reading(m, 1));
            j.flush();
        }
        try (Journal j = Journal.open(JournalSettings.defaults(file).withPartitions(7), JournalListener.NONE)) {
            for (int p = 0; p < 7; p++) {
                int q = p;
                assertThat(j.oldest(p, 100)).allSatisfy(e -> assertThat(Partitions.of(e.reading().meterId(), 7)).isEqualTo(q));
            }
            long total = 0;
            for (int p = 0; p < 7; p++) total += j.pendingIn(p);
            assertThat(total).isEqualTo(50);
        }
    }

    @Test
    void duplicatesInsideAndAcrossMultiRowInsertsAreCountedPerPartition(@TempDir Path dir) throws Exception {
        JournalSettings s = JournalSettings.defaults(dir.resolve("j.db")).withPartitions(5);
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            for (int m = 0; m < 100; m++) j.append(reading(m, 1));
            j.flush();
            // 300 appends in one go (several 64-row statements): 100 already journalled, 100 new
            // ones each appended twice; the group commit must count only the 100 new ones.
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int m = 0; m < 100; m++) {
                futures.add(j.append(reading(m, 1)));
                futures.add(j.append(reading(m, 2)));
                futures.add(j.append(reading(m, 2)));
            }
            for (CompletableFuture<Void> f : futures) f.get();
            assertThat(j.stats().appended()).isEqualTo(200);
            assertThat(j.stats().duplicates()).isEqualTo(200);
            assertThat(j.stats().pending()).isEqualTo(200);
            List<BatchEntry> all = j.all();
            assertThat(all).hasSize(200);
            for (int p = 0; p < 5; p++) {
                int q = p;
                long expected = all.stream().filter(e -> Partitions.of(e.reading().meterId(), 5) == q).count();
                assertThat(j.pendingIn(p)).as("partition %d", p).isEqualTo(expected);
            }
            // Journal order is append order: the second round follows the first, meter by meter.
            assertThat(all.subList(100, 200)).extracting(e -> e.reading())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100).mapToObj(m -> reading(m, 2)).toList());
            assertThat(all).extracting(BatchEntry::seq).isSorted().doesNotHaveDuplicates();
        }
    }

    /** A journal written by the version before the time-first key index: nothing lost, still idempotent. */
    @Test
    void aJournalFromBeforeTheKeyIndexChangeIsReadAndConverted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            // The schema exactly as the earlier Journal created it.
            st.execute("pragma journal_mode = wal");
            st.execute("create table if not exists entries (seq integer primary key autoincrement,"
                    + " partition_no integer not null, meter_id text not null, time_ms integer not null,"
                    + " source text not null, received_ms integer not null, meter_time_ms integer,"
                    + " volume_l integer not null, flags text not null, status_bits integer not null)");
            st.execute("create unique index if not exists entries_key on entries (meter_id, time_ms, source)");
            st.execute("create index if not exists entries_partition on entries (partition_no, seq)");
            st.execute("create table if not exists journal_meta (key text primary key, value text not null)");
            st.execute("insert into journal_meta values ('partitions', '16')");
            for (int m = 0; m < 30; m++) {
                Reading r = reading(m, 1);
                st.execute("insert into entries (partition_no, meter_id, time_ms, source, received_ms, meter_time_ms,"
                        + " volume_l, flags, status_bits) values (" + Partitions.of(r.meterId(), 16) + ", '" + r.meterId()
                        + "', " + r.time().toEpochMilli() + ", 'CJT188', " + r.receivedAt().toEpochMilli() + ", null, "
                        + r.volumeL() + ", '', 0)");
            }
            st.execute("insert into entries (partition_no, meter_id, time_ms, source, received_ms, meter_time_ms,"
                    + " volume_l, flags, status_bits) values (" + Partitions.of("30000000000077", 16)
                    + ", '30000000000077', " + T0.toEpochMilli() + ", 'CJT188', " + T0.toEpochMilli() + ", "
                    + T0.minusSeconds(7200).toEpochMilli() + ", 5, 'CLOCK_SKEW', 3)");
            st.execute("delete from entries where seq <= 10"); // acknowledged before the upgrade
        }
        Reading skewed = new Reading("30000000000077", T0, T0, 5, ReadingSource.CJT188,
                EnumSet.of(ReadingFlag.CLOCK_SKEW), 3, T0.minusSeconds(7200));
        try (Journal j = Journal.open(JournalSettings.defaults(file), JournalListener.NONE)) {
            assertThat(j.stats().pending()).as("every old entry is still there").isEqualTo(21);
            List<BatchEntry> all = j.all();
            assertThat(all).extracting(BatchEntry::seq).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(11, 31).boxed().toList());
            assertThat(all.subList(0, 20)).extracting(BatchEntry::reading).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(10, 30).mapToObj(m -> reading(m, 1)).toList());
            assertThat(all.get(20).reading()).isEqualTo(skewed);
            // Still idempotent against the old entries, and sequences are never reused.
            j.append(reading(15, 1)).get();
            j.append(skewed).get();
            assertThat(j.stats().duplicates()).isEqualTo(2);
            j.append(reading(3, 1)).get(); // acknowledged before the upgrade, so new again
            assertThat(j.all()).last().satisfies(e -> {
                assertThat(e.seq()).as("above every sequence of the old file").isGreaterThan(31);
                assertThat(e.reading()).isEqualTo(reading(3, 1));
            });
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select name from sqlite_master where type = 'index' and tbl_name = 'entries'"
                     + " and name like 'entries%' order by name")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) names.add(rs.getString(1));
            assertThat(names).containsExactly("entries_key_t", "entries_partition");
        }
    }
}
