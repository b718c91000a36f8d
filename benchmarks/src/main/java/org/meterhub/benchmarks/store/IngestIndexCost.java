package org.meterhub.benchmarks.store;

import java.sql.*;
import java.time.*;
import java.util.*;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PostgresStore;

/**
 * The append rate ({@code PostgresStore.append}, readings and their hour intervals, time-major, appends of up to
 * 20,000 readings or one read round) into a fresh TimescaleDB store with and without the readings index
 * {@code readings_meter_time} (V19), alternating which goes first, for the last {@code hours} hours before now
 * (uncompressed chunks, as in a live store; the policies paused). Databases {@code PREFIX_idx} and
 * {@code PREFIX_noidx} on 127.0.0.1:5433, made and dropped per round.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.store.IngestIndexCost METERS HOURS ROUNDS [PREFIX]</pre>
 */
public final class IngestIndexCost {
    private static final String ADMIN = "jdbc:postgresql://127.0.0.1:5433/postgres?user=meterhub&password=meterhub";
    private IngestIndexCost() {
    }

    public static void main(String[] a) throws Exception {
        int meters = Integer.parseInt(a[0]), hours = Integer.parseInt(a[1]), rounds = Integer.parseInt(a[2]);
        int batch = 20_000;
        String prefix = a.length > 3 ? a[3] : "mh_bench_ingest_index";
        System.out.printf("load average at start: %s%n", new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
        for (int r = 0; r < rounds; r++) {
            for (boolean index : new boolean[] {r % 2 != 0, r % 2 == 0}) {
                String db = prefix + (index ? "_idx" : "_noidx");
                try (Connection c = DriverManager.getConnection(ADMIN); Statement st = c.createStatement()) {
                    st.execute("drop database if exists " + db);
                    st.execute("create database " + db);
                }
                String url = "jdbc:postgresql://127.0.0.1:5433/" + db + "?user=meterhub&password=meterhub";
                try (PostgresStore store = new PostgresStore(url); Connection c = DriverManager.getConnection(url);
                     Statement st = c.createStatement()) {
                    st.execute("select alter_job(job_id, scheduled => false) from timescaledb_information.jobs where job_id >= 1000");
                    if (!index) st.execute("drop index readings_meter_time");
                    Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(hours));
                    long[] reg = new long[meters];
                    long nanos = 0;
                    List<Reading> rs = new ArrayList<>(); List<ConsumptionInterval> is = new ArrayList<>();
                    for (int k = 0; k <= hours; k++) {
                        Instant t = start.plus(Duration.ofHours(k));
                        for (int m = 0; m < meters; m++) {
                            String id = String.format("3%013d", m);
                            if (k > 0) { long v = (m * 7L + k * 13L) % 90; reg[m] += v;
                                is.add(new ConsumptionInterval(id, t.minus(Duration.ofHours(1)), t, v, Set.of())); }
                            rs.add(new Reading(id, t, t.plusSeconds(2), reg[m], ReadingSource.CJT188, Set.of(), 0));
                        }
                        if (rs.size() + meters > batch || k == hours) {
                            long t0 = System.nanoTime(); store.append(rs, is); nanos += System.nanoTime() - t0;
                            rs.clear(); is.clear();
                        }
                    }
                    long n = (long) meters * (hours + 1);
                    System.out.printf("round %d %-14s %,d readings (+ intervals) in %.1f s: %,.0f readings/s; load %s%n", r,
                            index ? "with index" : "without index", n, nanos / 1e9, n / (nanos / 1e9),
                            new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
                }
                try (Connection c = DriverManager.getConnection(ADMIN); Statement st = c.createStatement()) {
                    for (int i = 0; ; i++) { // a TimescaleDB worker may still be connected for a moment
                        try { st.execute("drop database if exists " + db); break; }
                        catch (SQLException e) { if (i == 50) throw e; Thread.sleep(200); }
                    }
                }
            }
        }
    }
}
