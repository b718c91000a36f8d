package org.meterhub.benchmarks.importing;

import java.io.BufferedWriter;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.importing.ImportConflicts;
import org.meterhub.engine.importing.JdbcImportConflicts;
import org.meterhub.engine.importing.MeterSpec;
import org.meterhub.engine.importing.ReadingsCsv;
import org.meterhub.engine.importing.ReadingsImport;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * {@code meterhub import readings} at scale, without the command line: writes a long-format CSV of N
 * hourly water readings of M meters (sorted by time, meters interleaved, registers in m³, local times
 * in Europe/Athens), then imports it into a fresh store through the full ingest pipeline (consumption,
 * validation, leak detection, alarms in the store). Prints rows/s and the heap in use, sampled every
 * 50 ms during the import (its peak) and after a GC at the end: run it with a small {@code -Xmx} to see
 * that memory does not grow with the file.
 *
 * <pre>java -Xmx256m -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.importing.ImportRun [rows] [meters] [store-url]</pre>
 * Defaults: 10 000 000 rows of 10 000 meters into a SQLite file in a temporary directory (deleted after).
 */
public final class ImportRun {
    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 10_000_000L;
        int meters = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 10_000;
        Path dir = Files.createTempDirectory("meterhub-import");
        String url = args.length > 2 ? args[2] : "jdbc:sqlite:" + dir.resolve("import.db");
        ZoneId zone = ZoneId.of("Europe/Athens");
        Path csv = dir.resolve("readings.csv");
        long t0 = System.nanoTime();
        write(csv, rows, meters, zone);
        System.out.printf("wrote %,d rows of %,d meters (%,d MB) in %.1f s%n", rows, meters, Files.size(csv) >> 20,
                (System.nanoTime() - t0) / 1e9);

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        ReadingsImport.Settings settings = new ReadingsImport.Settings(zone, ReadingsCsv.columns(null), null,
                MeterSpec.defaultOf(Medium.WATER), Map.of());
        long started = System.nanoTime();
        ReadingsImport.Summary s;
        try (TimeSeriesStore store = StoreFactory.open(url); SqlDatabase sql = SqlDatabase.open(url);
             Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            ImportConflicts conflicts = new JdbcImportConflicts(sql);
            try (IngestPipeline pipeline = ReadingsImport.pipeline(store,
                    IngestRules.forStore(url, AlarmSink.none(), Clock.systemUTC(), IngestRules.Options.defaults().withZone(zone)))) {
                long[] next = {1_000_000};
                s = new ReadingsImport(settings, store, pipeline, conflicts, Clock.systemUTC()).run(in, "readings.csv",
                        new ReadingsImport.Listener() {
                            @Override
                            public void progress(long done, long chars) {
                                if (done >= next[0]) {
                                    next[0] += 1_000_000;
                                    System.out.printf("  %,d rows, %,d rows/s, heap used %,d MB%n", done,
                                            done * 1_000_000_000L / (System.nanoTime() - started),
                                            mem.getHeapMemoryUsage().getUsed() >> 20);
                                }
                            }

                            @Override
                            public void rejected(long line, String reason, String row) {
                                throw new IllegalStateException("line " + line + ": " + reason);
                            }
                        });
                double secs = (System.nanoTime() - started) / 1e9;
                System.gc();
                System.out.printf("imported %,d rows in %.1f s: %,.0f rows/s; stored %,d, duplicates %d, conflicts %d, rejected %d;"
                                + " %,d consumption intervals%n", s.rows(), secs, s.rows() / secs, s.stored(), s.duplicates(),
                        s.conflicts(), s.rejected(), pipeline.stats().intervals());
            }
        } finally {
            sampler.interrupt();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf("heap: peak used %,d MB during the import, %,d MB after GC; max heap %,d MB%n", peak.get() >> 20,
                mem.getHeapMemoryUsage().getUsed() >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    /** Hourly registers, the file sorted by time; a household day profile with some random use. */
    private static void write(Path csv, long rows, int meters, ZoneId zone) throws java.io.IOException {
        long[] register = new long[meters];
        SplittableRandom rnd = new SplittableRandom(15);
        for (int m = 0; m < meters; m++) register[m] = rnd.nextLong(1_000_000);
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        java.time.format.DateTimeFormatter local = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("meter,time,register,unit\n");
            long written = 0;
            for (long h = 0; written < rows; h++) {
                Instant t = start.plusSeconds(h * 3600);
                String time = local.format(t.atZone(zone));
                int hour = t.atZone(zone).getHour();
                for (int m = 0; m < meters && written < rows; m++, written++) {
                    w.write(Integer.toString(40_000_000 + m));
                    w.write(',');
                    w.write(time);
                    w.write(',');
                    long v = register[m];
                    w.write(Long.toString(v / 1000));
                    w.write('.');
                    String frac = Long.toString(1000 + v % 1000);
                    w.write(frac, 1, 3);
                    w.write(",m3\n");
                    register[m] += (hour >= 6 && hour < 23 ? rnd.nextInt(25) : 0);
                }
            }
        }
    }
}
