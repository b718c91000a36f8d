package org.meterhub.benchmarks.store;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PostgresStore;

/**
 * Ingest rows/s into PostgreSQL: the store's COPY sink (direct-first and staging), plain JDBC
 * batch inserts, and {@code psql \copy} of the same rows into the same partitioned table three
 * ways: with the store's key, with no key or index at all (the database's bulk-load limit), and
 * with the V5 meter-leading key; each into a fresh database in the same run.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.store.IngestBenchmark [rows] [meters] [batch] [jdbcRows]</pre>
 * Defaults: 5,000,000 rows over 10,000 meters (hourly readings), batches of 20,000, JDBC baseline on 1,000,000 rows.
 */
public final class IngestBenchmark {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        int meters = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        long jdbcRows = args.length > 3 ? Long.parseLong(args[3]) : Math.min(rows, 1_000_000L);
        System.out.printf("ingest benchmark: %,d readings over %,d meters, batches of %,d%n", rows, meters, batch);

        double bare = psqlCopy(rows, meters, "no key, no index (the bulk-load limit)",
                "alter table readings drop constraint readings_pkey");
        double oldKey = psqlCopy(rows, meters, "the V5 key (meter_id, time, source)",
                "alter table readings drop constraint readings_pkey",
                "alter table readings add primary key (meter_id, time, source)");
        double psql = psqlCopy(rows, meters, "the store's key (time, meter_id, source)");
        double direct = sink(PostgresStore.AppendMode.COPY_DIRECT_FIRST, rows, meters, batch, false);
        double staging = sink(PostgresStore.AppendMode.COPY_STAGING, rows, meters, batch, false);
        double replay = sink(PostgresStore.AppendMode.COPY_DIRECT_FIRST, Math.min(rows, 1_000_000L), meters, batch, true);
        double jdbc = sink(PostgresStore.AppendMode.JDBC_BATCH, jdbcRows, meters, batch, false);
        System.out.println();
        System.out.printf("%-48s %12s  %-9s %s%n", "writer", "rows/s", "of psql", "of no-index psql");
        row("psql \\copy, no key or index (peer)", bare, psql, bare);
        row("psql \\copy, V5 key (meter_id, time, source)", oldKey, psql, bare);
        row("psql \\copy, store's key (peer, same table)", psql, psql, bare);
        row("sink COPY direct-first (default)", direct, psql, bare);
        row("sink COPY staging + ON CONFLICT", staging, psql, bare);
        row("sink direct-first, every batch a replay", replay, psql, bare);
        row("JDBC batch INSERT (reWriteBatchedInserts)", jdbc, psql, bare);
    }

    private static void row(String writer, double rate, double psql, double bare) {
        System.out.printf("%-48s %,12.0f  %-9.2f %.2f%n", writer, rate, rate / psql, rate / bare);
    }

    static Reading reading(long i, int meters) {
        int meter = (int) (i % meters);
        long hour = i / meters;
        Instant t = T0.plus(Duration.ofHours(hour));
        return new Reading(String.format("3%013d", meter), t, t.plusMillis(1500 + meter % 1000), 1_000L * hour + meter,
                ReadingSource.CJT188, meter % 97 == 0 ? Set.of(ReadingFlag.LOW_BATTERY) : Set.of(), 0);
    }

    /** Rows/s of store.append for the rows; with replay, each batch is first written, then timed again. */
    private static double sink(PostgresStore.AppendMode mode, long rows, int meters, int batch, boolean replay)
            throws SQLException {
        String url = BenchDatabases.create(mode.name().toLowerCase());
        try (PostgresStore store = new PostgresStore(url, mode)) {
            long nanos = 0;
            for (long i = 0; i < rows; i += batch) {
                List<Reading> list = new ArrayList<>(batch);
                for (long j = i; j < Math.min(rows, i + batch); j++) {
                    list.add(reading(j, meters));
                }
                if (replay) {
                    store.append(list, List.of());
                }
                long start = System.nanoTime();
                store.append(list, List.of());
                nanos += System.nanoTime() - start;
            }
            if (store.readingCount() != rows) {
                throw new IllegalStateException("stored " + store.readingCount() + " of " + rows);
            }
            double perSecond = rows / (nanos / 1e9);
            System.out.printf("  %s%s: %,d rows in %.1f s = %,.0f rows/s%n", mode, replay ? " (replays)" : "", rows,
                    nanos / 1e9, perSecond);
            return perSecond;
        } finally {
            BenchDatabases.drop(url);
        }
    }

    /**
     * The same rows as CSV, loaded with psql \copy into the store's own schema (partitions made
     * first), after the given statements change its keys.
     */
    private static double psqlCopy(long rows, int meters, String keys, String... alter) throws Exception {
        String url = BenchDatabases.create("psql");
        Path csv = Files.createTempFile("meterhub-readings", ".csv");
        try {
            new PostgresStore(url).close(); // schema, partitioned table, primary key
            Instant last = reading(rows - 1, meters).time();
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                for (String sql : alter) {
                    st.execute(sql);
                }
                for (LocalDate d = LocalDate.ofInstant(T0, ZoneOffset.UTC);
                     !d.isAfter(LocalDate.ofInstant(last, ZoneOffset.UTC).plusDays(1)); d = d.plusDays(1)) {
                    st.execute(String.format("create table if not exists readings_p%s partition of readings for"
                            + " values from ('%s 00:00:00+00') to ('%s 00:00:00+00')",
                            d.toString().replace("-", ""), d, d.plusDays(1))); // daily, as the store makes them
                }
            }
            try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                for (long i = 0; i < rows; i++) {
                    Reading r = reading(i, meters);
                    w.write(r.meterId() + "," + r.time() + "," + r.source().name() + "," + r.receivedAt() + ","
                            + r.volumeL() + "," + (r.flags().isEmpty() ? "" : "LOW_BATTERY") + "," + r.statusBits() + "\n");
                }
            }
            ProcessBuilder pb = new ProcessBuilder("psql", "-q", "-v", "ON_ERROR_STOP=1", BenchDatabases.libpq(url), "-c",
                    "\\copy readings (meter_id, time, source, received_at, volume_l, flags, status_bits) from '"
                            + csv + "' with (format csv, force_not_null (flags))");
            pb.redirectErrorStream(true);
            long start = System.nanoTime();
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            long nanos = System.nanoTime() - start;
            if (exit != 0) {
                throw new IOException("psql failed (" + exit + "): " + out);
            }
            double perSecond = rows / (nanos / 1e9);
            System.out.printf("  psql \\copy, %s: %,d rows in %.1f s = %,.0f rows/s%n", keys, rows, nanos / 1e9,
                    perSecond);
            return perSecond;
        } finally {
            Files.deleteIfExists(csv);
            BenchDatabases.drop(url);
        }
    }
}
