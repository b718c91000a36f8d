package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalFullException;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/**
 * Uplinks through the journal: the broker acknowledgement waits for the journal's commit, a
 * refused reading is not acknowledged and not taken for a duplicate when it comes again, and
 * out-of-order uplinks (no reorder window) end in the same effective consumption as in-order ones,
 * because the engine places late readings and corrects the intervals they split.
 */
class MqttJournalledUplinksTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private static final String METER = "31000000000077";
    private final Clock clock = Clock.fixed(T0.plusSeconds(3600 * 12), ZoneOffset.UTC);

    private static UplinkSettings noWindow() {
        return UplinkSettings.defaults().withMaxClockSkew(Duration.ofDays(1)).withReorderWindow(Duration.ZERO);
    }

    private static byte[] msg(long seq) {
        long litres = 10_000 + seq * seq * 37; // uneven use, so a misplaced reading changes the intervals
        return ("{\"meter\":\"" + METER + "\",\"seq\":" + seq + ",\"ts\":\"" + T0.plusSeconds(3600L * seq)
                + "\",\"volume_m3\":\"" + litres / 1000 + "." + String.format("%03d", litres % 1000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String topic() {
        return "meters/" + METER + "/up";
    }

    @Test
    void theAckWaitsForTheSinkAndARefusedReadingIsNotADuplicateWhenItComesAgain() {
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        List<Reading> appended = new ArrayList<>();
        DurableReadingSink slowDisk = r -> {
            appended.add(r);
            CompletableFuture<Void> f = new CompletableFuture<>();
            commits.add(f);
            return f;
        };
        UplinkProcessor p = new UplinkProcessor(noWindow(), b -> { }, a -> { }, clock, new MqttCounters(), slowDisk);
        CompletableFuture<Void> ack1 = p.onMessage(topic(), msg(1));
        assertThat(ack1).as("not acknowledged before the commit").isNotDone();
        commits.get(0).complete(null);
        assertThat(ack1).isCompleted();

        CompletableFuture<Void> ack2 = p.onMessage(topic(), msg(2));
        commits.get(1).completeExceptionally(new JournalFullException("full"));
        assertThat(ack2).as("a refused reading is never acknowledged").isCompletedExceptionally();
        assertThat(p.counters().refused.get()).isEqualTo(1);

        // The broker delivers seq 2 again after the reconnect: a new reading, not a duplicate.
        CompletableFuture<Void> again = p.onMessage(topic(), msg(2));
        assertThat(appended).hasSize(3);
        commits.get(2).complete(null);
        assertThat(again).isCompleted();
        assertThat(p.counters().duplicates.get()).isZero();
        // A real duplicate is acknowledged at once and appends nothing.
        assertThat(p.onMessage(topic(), msg(2))).isCompleted();
        assertThat(appended).hasSize(3);
        assertThat(p.counters().journaled.get()).isEqualTo(2);
    }

    @Test
    void theAckOfAJournalledUplinkComesAfterTheCommitThatHoldsIt(@TempDir Path dir) throws Exception {
        try (Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("j.db")), JournalListener.NONE)) {
            UplinkProcessor p = new UplinkProcessor(noWindow(), b -> { }, a -> { }, clock, new MqttCounters(),
                    journal::append);
            CompletableFuture<Void> ack = p.onMessage(topic(), msg(1));
            ack.get(5, TimeUnit.MINUTES);
            assertThat(journal.all()).singleElement().satisfies(e -> assertThat(e.reading().meterId()).isEqualTo(METER));
        }
    }

    @Test
    void outOfOrderUplinksEndInTheSameEffectiveConsumptionAsInOrderOnes(@TempDir Path dir) throws Exception {
        List<Long> inOrder = new ArrayList<>();
        for (long s = 1; s <= 14; s++) inOrder.add(s);
        // 5 before 4, 7 after 8 and 9, 11 after 12, 14 after 13 then a duplicate of 5.
        List<Long> shuffled = List.of(1L, 2L, 3L, 5L, 4L, 6L, 8L, 9L, 7L, 10L, 12L, 11L, 13L, 5L, 14L);

        Run straight = run(dir.resolve("a"), inOrder);
        Run mixed = run(dir.resolve("b"), shuffled);

        assertThat(registers(mixed.readings)).as("every reading stored once").isEqualTo(registers(straight.readings))
                .hasSize(14);
        assertThat(mixed.effective).as("effective consumption independent of arrival order").isEqualTo(straight.effective);
        assertThat(mixed.base).as("the late readings did need corrections (the test can fail)").isNotEqualTo(mixed.effective);
        assertThat(mixed.counters.late.get()).isEqualTo(3);
        assertThat(mixed.counters.duplicates.get()).isEqualTo(1);
        assertThat(mixed.counters.missedUplinks.get()).as("every gap filled again").isZero();
        assertThat(straight.base).isEqualTo(straight.effective);
    }

    private static List<String> registers(List<Reading> rs) {
        return rs.stream().map(r -> r.time() + "=" + r.volumeL()).toList();
    }

    private record Run(List<Reading> readings, List<ConsumptionInterval> base, List<ConsumptionInterval> effective,
                       MqttCounters counters) {
    }

    private Run run(Path dir, List<Long> order) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        java.nio.file.Files.createDirectories(dir);
        MqttCounters counters = new MqttCounters();
        try (MeterStore store = StoreFactory.open(url);
             Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("j.db")).withPartitions(2),
                     JournalListener.NONE)) {
            try (Forwarder f = new Forwarder(journal, new LocalBatchTransport(new BatchCommitter(
                    () -> IngestPipeline.withRules(store, IngestRules.forStore(url, AlarmSink.none())))),
                    new ForwarderSettings("t", 3, Duration.ofSeconds(1), Duration.ofSeconds(2)), Clock.systemUTC()).start()) {
                UplinkProcessor p = new UplinkProcessor(noWindow(), b -> { }, a -> { }, clock, counters, journal::append);
                for (int i = 0; i < order.size(); i++) {
                    p.onMessage(topic(), msg(order.get(i))).get(5, TimeUnit.MINUTES);
                    // Each reading committed before the next arrives (on any machine, however slow), so the late 7
                    // and 11 meet committed neighbours and need corrections; only a 4 right after 5 is not waited
                    // for, and may or may not share 5's batch.
                    if (!(i + 1 < order.size() && order.get(i + 1) == 4L)) {
                        assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
                    }
                }
                assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
            }
            Instant from = T0.minusSeconds(86_400);
            Instant to = T0.plusSeconds(86_400 * 2);
            try (SqlDatabase db = SqlDatabase.open(url)) {
                return new Run(store.readings(METER, from, to), store.intervals(METER, from, to),
                        new JdbcCorrectionRepository(db).effective(METER, from, to), counters);
            }
        }
    }
}
