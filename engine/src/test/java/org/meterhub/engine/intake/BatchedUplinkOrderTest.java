package org.meterhub.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.ingest.StoreRetry;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;

/**
 * Batched uplinks (protocols.md §3) reach the engine a day at a time, and sometimes a re-sent day behind the
 * next one. Within a batch the engine takes each meter's readings in time order, so the consumption needs no
 * correction and the leak detectors judge every hour: the same intervals and the same alarms as in order.
 */
class BatchedUplinkOrderTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final String LEAKY = "30000000000091";

    private record Run(List<ConsumptionInterval> intervals, List<String> alarms, long late, long corrections) {
    }

    /** A leak: 50 L every hour, day and night, for 78 hours (as IngestRulesPipelineTest's leaking meter). */
    private static BatchEntry hour(int h) {
        Instant t = T0.plus(Duration.ofHours(h));
        return new BatchEntry(h + 1, new Reading(LEAKY, t, t, 1_000 + 50L * h, ReadingSource.MQTT, Set.of(), 0));
    }

    private static Run run(Path dir, List<List<BatchEntry>> batches) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        List<Alarm> published = new ArrayList<>();
        IngestPipeline[] pipeline = new IngestPipeline[1];
        try (MeterStore store = StoreFactory.open(url);
             BatchCommitter committer = new BatchCommitter(() -> pipeline[0] = IngestPipeline.withRules(store,
                     IngestRules.forStore(url, published::add)), new StoreRetry(Duration.ofMillis(50), Duration.ofMillis(200)),
                     new StoreHealth("test store", Clock.systemUTC()))) {
            long seq = 0;
            for (List<BatchEntry> b : batches) {
                List<BatchEntry> journalled = new ArrayList<>(); // the journal's sequence is the arrival order
                for (BatchEntry e : b) journalled.add(new BatchEntry(++seq, e.reading()));
                committer.commit(ReadingBatch.of("gw", 0, T0, journalled));
            }
            List<String> open = pipeline[0].rules().alarms().open().stream().map(a -> a.subject() + " " + a.kind()).toList();
            return new Run(store.intervals(LEAKY, T0, T0.plus(Duration.ofDays(4))), open,
                    pipeline[0].stats().lateReadings(), pipeline[0].stats().corrections());
        }
    }

    private static List<BatchEntry> hours(int from, int to) {
        List<BatchEntry> out = new ArrayList<>();
        for (int h = from; h <= to; h++) out.add(hour(h));
        return out;
    }

    @Test
    void aResentDayBehindTheNextOneInABatchIsTakenInTimeOrder(@TempDir Path dir) throws Exception {
        Run inOrder = run(dir.resolve("a"), List.of(hours(0, 24), hours(25, 48), hours(49, 78)));
        List<BatchEntry> swapped = new ArrayList<>(hours(25, 48)); // the second day first, then the re-sent first day
        swapped.addAll(hours(0, 24));
        Run mixed = run(dir.resolve("b"), List.of(swapped, hours(49, 78)));

        assertThat(inOrder.alarms()).as("the leak is found (the test can fail)").contains(LEAKY + " NIGHT_FLOW");
        assertThat(mixed.alarms()).isEqualTo(inOrder.alarms());
        assertThat(mixed.late()).as("no reading was late for the engine").isZero();
        assertThat(mixed.corrections()).isZero();
        assertThat(mixed.intervals()).isEqualTo(inOrder.intervals()).hasSize(78);
    }

    @Test
    void aBatchInOrderIsHandedOnAsItIs() {
        List<BatchEntry> b = hours(0, 5);
        assertThat(MeterTimeOrder.of(b)).isSameAs(b);
        List<BatchEntry> reversed = new ArrayList<>(b);
        java.util.Collections.reverse(reversed);
        assertThat(MeterTimeOrder.of(reversed)).isEqualTo(b);
    }
}
