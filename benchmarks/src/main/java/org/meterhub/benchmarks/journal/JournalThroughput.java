package org.meterhub.benchmarks.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/**
 * Journal readings/s with the chosen fsync policy (synchronous=FULL, group commit), against the
 * peer policy NORMAL measured in the same run. Readings come from 1,000 meters as a concentrator
 * would hand them over; the clock stops when the last one is durable.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.journal.JournalThroughput [readings]</pre>
 */
public final class JournalThroughput {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path dir = Files.createTempDirectory("journal-bench");
        run(dir, n / 10, JournalSettings.Durability.FULL); // warm-up
        double full = run(dir, n, JournalSettings.Durability.FULL);
        double normal = run(dir, n, JournalSettings.Durability.NORMAL);
        System.out.printf("journal FULL (chosen): %,.0f readings/s%njournal NORMAL (peer): %,.0f readings/s%n"
                + "FULL/NORMAL: %.2f%n", full, normal, full / normal);
    }

    static double run(Path dir, int n, JournalSettings.Durability durability) throws Exception {
        Path file = dir.resolve("j-" + durability + "-" + n + ".db");
        Instant t0 = Instant.parse("2026-11-24T00:00:00Z");
        try (Journal j = Journal.open(JournalSettings.defaults(file).withDurability(durability)
                .withMaxBytes(4L << 30, 80), JournalListener.NONE)) {
            long start = System.nanoTime();
            CompletableFuture<Void> last = null;
            for (int i = 0; i < n; i++) {
                int meter = i % 1000;
                Reading r = new Reading(String.format("3%013d", meter), t0.plusSeconds(900L * (i / 1000)),
                        t0.plusSeconds(900L * (i / 1000)), 1000L + i, ReadingSource.CJT188, Set.of(), 0);
                CompletableFuture<Void> f;
                while ((f = j.append(r)).isCompletedExceptionally()) Thread.onSpinWait(); // queue full: wait for the disk
                last = f;
            }
            last.get();
            double rate = n * 1e9 / (System.nanoTime() - start);
            if (j.stats().appended() != n) throw new IllegalStateException("appended " + j.stats().appended() + " of " + n);
            return rate;
        }
    }
}
