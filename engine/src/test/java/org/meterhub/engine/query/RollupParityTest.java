package org.meterhub.engine.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.api.ReportWriter;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.api.TestFleet;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.store.MeterTotal;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The same fleet in SQLite and in PostgreSQL (partitioned, COPY sink) gives the same rollups,
 * totals and reports, and the rollups agree with summing the raw intervals.
 */
class RollupParityTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @TempDir
    static Path dir;
    private static PgTestDatabase db;
    private static TimeSeriesStore sqlite;
    private static TimeSeriesStore postgres;
    private static List<ConsumptionInterval> written;

    @BeforeAll
    static void writeTheFleetToBothStores() {
        db = PgTestDatabase.create();
        sqlite = new SqliteStore(dir.resolve("rollups.db"));
        postgres = new PostgresStore(db.url());
        written = TestFleet.write(sqlite);
        assertThat(TestFleet.write(postgres)).isEqualTo(written);
    }

    @AfterAll
    static void closeAll() {
        for (AutoCloseable c : new AutoCloseable[] {sqlite, postgres}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing is best effort here
            }
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void rollupSeriesEqualIntervalSeriesOnBothStores() {
        // aligned, cut at both ends, and a single cut bucket
        List<Instant[]> ranges = List.of(new Instant[] {TestFleet.START, TestFleet.END},
                new Instant[] {TestFleet.START.plus(Duration.ofMinutes(95)), TestFleet.END.minus(Duration.ofMinutes(20))},
                new Instant[] {TestFleet.START.plus(Duration.ofMinutes(5)), TestFleet.START.plus(Duration.ofMinutes(50))});
        for (String meter : TestFleet.CUSTOMERS) {
            for (Instant[] r : ranges) {
                for (Step step : Step.values()) {
                    for (ZoneId zone : List.of(SHANGHAI, ZoneId.of("UTC"))) {
                        MeterStoreView plain = new MeterStoreView(sqlite);
                        List<Bucket> expected = ConsumptionQuery.series(plain.store(), meter, r[0], r[1], step, zone);
                        assertThat(ConsumptionQuery.series(sqlite, meter, r[0], r[1], step, zone))
                                .as("sqlite %s %s %s %s", meter, step, zone, r[0]).isEqualTo(expected);
                        assertThat(ConsumptionQuery.series(postgres, meter, r[0], r[1], step, zone))
                                .as("postgres %s %s %s %s", meter, step, zone, r[0]).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void monthlyRollupsHoldExactSums() {
        Instant feb = Instant.parse("2024-01-31T16:00:00Z");
        for (TimeSeriesStore store : List.of(sqlite, postgres)) {
            var rows = store.rollup(Step.MONTH, null, Instant.parse("2023-12-31T16:00:00Z"),
                    Instant.parse("2024-02-29T16:00:00Z"));
            assertThat(rows).hasSize(2 * (TestFleet.CUSTOMERS.size() + 1));
            for (var row : rows) {
                List<ConsumptionInterval> mine = written.stream().filter(i -> i.meterId().equals(row.meterId())
                        && (row.bucket().equals(feb) ? !i.start().isBefore(feb) : i.start().isBefore(feb))).toList();
                assertThat(row.volumeL()).isEqualTo(mine.stream().mapToLong(ConsumptionInterval::volumeL).sum());
                assertThat(row.intervals()).isEqualTo(mine.size());
            }
        }
        assertThat(postgres.rollup(Step.DAY, TestFleet.INLET, TestFleet.START, TestFleet.END))
                .isEqualTo(sqlite.rollup(Step.DAY, TestFleet.INLET, TestFleet.START, TestFleet.END)).hasSize(4);
    }

    @Test
    void totalsFromRollupsEqualTotalsFromRawIntervals() {
        Instant aligned = TestFleet.START;
        Instant cut = TestFleet.START.plusSeconds(1);
        for (Instant from : List.of(aligned, cut)) {
            List<MeterTotal> s = sqlite.totals(from, TestFleet.END, null, false, 100);
            List<MeterTotal> p = postgres.totals(from, TestFleet.END, null, false, 100);
            assertThat(p).isEqualTo(s).hasSize(4);
            for (MeterTotal t : s) {
                List<ConsumptionInterval> mine = written.stream().filter(i -> i.meterId().equals(t.meterId())
                        && !i.start().isBefore(from) && i.start().isBefore(TestFleet.END)).toList();
                assertThat(t.volumeL()).isEqualTo(mine.stream().mapToLong(ConsumptionInterval::volumeL).sum());
                assertThat(t.intervals()).isEqualTo(mine.size());
                assertThat(t.flags()).containsExactlyInAnyOrderElementsOf(
                        mine.stream().flatMap(i -> i.flags().stream()).distinct().toList());
            }
            assertThat(s.get(0).meterId()).isEqualTo(TestFleet.INLET); // largest first
        }
        assertThat(sqlite.totals(aligned, TestFleet.END, TestFleet.DISTRICT, false, 100))
                .extracting(MeterTotal::meterId).containsExactlyInAnyOrderElementsOf(TestFleet.CUSTOMERS);
        assertThat(postgres.totals(aligned, TestFleet.END, TestFleet.DISTRICT, true, 100))
                .extracting(MeterTotal::meterId).containsExactly(TestFleet.INLET);
    }

    @Test
    void everyReportIsIdenticalOnBothStores() {
        ReportWriter w = new ReportWriter();
        Reports s = new Reports(sqlite, SHANGHAI);
        Reports p = new Reports(postgres, SHANGHAI);
        Instant from = TestFleet.START.plus(Duration.ofHours(7));
        Instant to = TestFleet.END;
        String meter = TestFleet.CUSTOMERS.get(1);
        for (Step step : Step.values()) {
            assertThat(w.json(p.consumption(meter, from, to, step))).isEqualTo(w.json(s.consumption(meter, from, to, step)));
        }
        assertThat(w.csv(p.readings(meter, from, to))).isEqualTo(w.csv(s.readings(meter, from, to)));
        assertThat(w.json(p.flags(meter, from, to))).isEqualTo(w.json(s.flags(meter, from, to))).contains("estimated\":true");
        assertThat(w.json(p.health(meter, from, to, Duration.ofMinutes(15))))
                .isEqualTo(w.json(s.health(meter, from, to, Duration.ofMinutes(15))));
        assertThat(w.json(p.district(TestFleet.DISTRICT, from, to)))
                .isEqualTo(w.json(s.district(TestFleet.DISTRICT, from, to)));
        assertThat(w.json(p.topConsumers(from, to, 2))).isEqualTo(w.json(s.topConsumers(from, to, 2)));
    }

    /** The store seen only as a MeterStore, so ConsumptionQuery sums raw intervals. */
    private record MeterStoreView(org.meterhub.engine.store.MeterStore store) {
    }
}
