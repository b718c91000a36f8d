package org.meterhub.engine.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;

/**
 * The same readings and intervals written to SQLite and to PostgreSQL give the same rows and the
 * same consumption series. The data cross 2024-02-01 00:00 in Shanghai (16:00 UTC on Jan 31),
 * a day and month boundary that is not a UTC one.
 */
class StoreParityTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Instant START = Instant.parse("2024-01-30T00:00:00Z");
    private static final Instant END = Instant.parse("2024-02-03T00:00:00Z");
    private static final List<String> METERS = List.of("0000A1", "0000B2");

    @TempDir
    static Path dir;
    private static PgTestDatabase db;
    private static MeterStore sqlite;
    private static MeterStore postgres;
    private static List<ConsumptionInterval> written;

    @BeforeAll
    static void writeTheSameDataToBothStores() {
        db = PgTestDatabase.create();
        sqlite = new SqliteStore(dir.resolve("parity.db"));
        postgres = new PostgresStore(db.url());

        Random random = new Random(20240201);
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        for (String meter : METERS) {
            long register = 1_000_000L * (meter.hashCode() & 0xff);
            for (Instant t = START; t.isBefore(END); t = t.plus(Duration.ofMinutes(15))) {
                if (random.nextInt(10) == 0) {
                    continue; // a gap: the meter was not heard from
                }
                long used = random.nextInt(8) == 0 ? 0 : random.nextInt(2_000);
                Set<IntervalFlag> iflags = random.nextInt(6) == 0
                        ? EnumSet.of(IntervalFlag.values()[random.nextInt(IntervalFlag.values().length)])
                        : Set.of();
                intervals.add(new ConsumptionInterval(meter, t, t.plus(Duration.ofMinutes(15)), used, iflags));
                register += used;
                Instant readAt = t.plus(Duration.ofMinutes(15));
                Set<ReadingFlag> rflags = random.nextInt(5) == 0 ? EnumSet.of(ReadingFlag.LOW_BATTERY, ReadingFlag.LATE)
                        : Set.of();
                // received a few hundred microseconds later: both stores keep milliseconds
                readings.add(new Reading(meter, readAt, readAt.plusNanos(random.nextInt(900_000_000)), register,
                        ReadingSource.values()[random.nextInt(3)], rflags, random.nextInt(256)));
            }
        }
        // the same batches, each re-sent once (as a gateway retry would), to both stores
        int batch = 97;
        for (int i = 0; i < Math.max(readings.size(), intervals.size()); i += batch) {
            List<Reading> r = readings.subList(Math.min(i, readings.size()), Math.min(i + batch, readings.size()));
            List<ConsumptionInterval> c = intervals.subList(Math.min(i, intervals.size()),
                    Math.min(i + batch, intervals.size()));
            for (MeterStore store : List.of(sqlite, postgres)) {
                store.append(r, c);
                store.append(r, c);
            }
        }
        written = intervals;
    }

    @AfterAll
    static void closeAll() {
        if (sqlite != null) {
            sqlite.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void bothStoresHoldTheSameRows() {
        assertThat(postgres.readingCount()).isEqualTo(sqlite.readingCount()).isPositive();
        for (String meter : METERS) {
            assertThat(postgres.readings(meter, START, END)).isEqualTo(sqlite.readings(meter, START, END));
            assertThat(postgres.intervals(meter, START, END)).isEqualTo(sqlite.intervals(meter, START, END))
                    .containsExactlyElementsOf(written.stream().filter(i -> i.meterId().equals(meter)).toList());
            assertThat(postgres.lastReading(meter)).isEqualTo(sqlite.lastReading(meter)).isPresent();
        }
    }

    @Test
    void bothStoresGiveTheSameSeriesForEveryStep() {
        Instant from = Instant.parse("2024-01-29T16:00:00Z"); // 2024-01-30 00:00 in Shanghai
        Instant to = Instant.parse("2024-02-02T16:00:00Z");   // 2024-02-03 00:00 in Shanghai
        for (String meter : METERS) {
            for (Step step : Step.values()) {
                for (ZoneId zone : List.of(SHANGHAI, ZoneId.of("UTC"))) {
                    List<Bucket> fromSqlite = ConsumptionQuery.series(sqlite, meter, from, to, step, zone);
                    List<Bucket> fromPostgres = ConsumptionQuery.series(postgres, meter, from, to, step, zone);
                    assertThat(fromPostgres).as("%s %s %s", meter, step, zone).isEqualTo(fromSqlite);
                    assertThat(ConsumptionQuery.total(fromSqlite)).isEqualTo(written.stream()
                            .filter(i -> i.meterId().equals(meter) && !i.start().isBefore(from) && i.start().isBefore(to))
                            .mapToLong(ConsumptionInterval::volumeL).sum());
                }
            }
            List<Bucket> hours = ConsumptionQuery.series(postgres, meter, from, to, Step.HOUR, SHANGHAI);
            assertThat(hours).hasSize(4 * 24).anyMatch(Bucket::isEmpty);

            // Shanghai's billing day and month differ from UTC's
            List<Bucket> days = ConsumptionQuery.series(postgres, meter, from, to, Step.DAY, SHANGHAI);
            assertThat(days).extracting(Bucket::start).contains(Instant.parse("2024-01-31T16:00:00Z"));
            List<Bucket> months = ConsumptionQuery.series(postgres, meter, from, to, Step.MONTH, SHANGHAI);
            assertThat(months).extracting(Bucket::start).containsExactly(from, Instant.parse("2024-01-31T16:00:00Z"));
            List<Bucket> utcMonths = ConsumptionQuery.series(postgres, meter, from, to, Step.MONTH, ZoneId.of("UTC"));
            assertThat(utcMonths).extracting(Bucket::start).containsExactly(from, Instant.parse("2024-02-01T00:00:00Z"));
            assertThat(months.get(0).volumeL()).isNotEqualTo(utcMonths.get(0).volumeL());
        }
    }
}
