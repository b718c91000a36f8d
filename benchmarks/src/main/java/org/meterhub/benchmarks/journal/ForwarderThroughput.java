package org.meterhub.benchmarks.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.intake.IntakeSettings;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.PartitionLeases;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.forward.BatchTransport;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.forward.MqttBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/**
 * Forwarder readings/s to the engine: a journal holding N readings of 1,000 meters is drained
 * into a store (SQLite) through the real Mosquitto on 127.0.0.1:1883 and an engine intake, against
 * the in-memory single-box hand-off into the same kind of store in the same run. The clock stops
 * when the engine has acknowledged the last reading.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.journal.ForwarderThroughput [readings] [store-url]</pre>
 */
public final class ForwarderThroughput {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("forward-bench");
        double local = run(dir, n, false, args.length > 1 ? args[1] : null);
        double mqtt = run(dir, n, true, args.length > 1 ? args[1] : null);
        System.out.printf("forwarder over MQTT QoS 1 (engine intake, acks after commit): %,.0f readings/s%n"
                + "single-box in-memory hand-off (peer): %,.0f readings/s%nMQTT/in-memory: %.2f%n", mqtt, local, mqtt / local);
    }

    static double run(Path dir, int n, boolean mqtt, String storeUrl) throws Exception {
        String url = storeUrl != null ? storeUrl : "jdbc:sqlite:" + dir.resolve("store-" + mqtt + ".db");
        String prefix = "mhbench-" + System.nanoTime();
        Instant t0 = Instant.parse("2026-11-24T00:00:00Z");
        try (MeterStore store = StoreFactory.open(url);
             Journal j = Journal.open(JournalSettings.defaults(dir.resolve("journal-" + mqtt + ".db"))
                     .withMaxBytes(4L << 30, 80), JournalListener.NONE)) {
            for (int i = 0; i < n; i++) {
                Instant t = t0.plusSeconds(900L * (i / 1000));
                while (j.append(new Reading(String.format("3%013d", i % 1000), t, t, 1000L + i, ReadingSource.CJT188,
                        Set.of(), 0)).isCompletedExceptionally()) Thread.onSpinWait();
            }
            j.flush();
            MqttIntake intake = null;
            BatchTransport transport;
            if (mqtt) {
                intake = new MqttIntake(new IntakeSettings("tcp://127.0.0.1:1883", "meterhub-bench-engine",
                        new Topics(prefix), 16, 256, Duration.ofSeconds(1), Duration.ofSeconds(2)),
                        PartitionLeases.all(16), () -> IngestPipeline.withDefaults(store)).start();
                transport = new MqttBatchTransport("tcp://127.0.0.1:1883", "bench", new Topics(prefix), Duration.ofSeconds(5));
                Thread.sleep(1_500); // both ends connected and subscribed
            } else {
                transport = new LocalBatchTransport(new BatchCommitter(() -> IngestPipeline.withDefaults(store)));
            }
            long start = System.nanoTime();
            try (Forwarder f = new Forwarder(j, transport, new ForwarderSettings("bench", 500, Duration.ofSeconds(10),
                    Duration.ofSeconds(30)), Clock.systemUTC()).start()) {
                if (!f.awaitDrained(Duration.ofMinutes(10))) throw new IllegalStateException("not drained");
            }
            double rate = n * 1e9 / (System.nanoTime() - start);
            if (intake != null) intake.close();
            if (store.readingCount() != n) throw new IllegalStateException("stored " + store.readingCount() + " of " + n);
            return rate;
        }
    }
}
