package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

/**
 * What every {@link MeterStore} must do. Each test starts from an empty database;
 * {@link #open()} may be called several times in one test and reaches the same database.
 */
abstract class MeterStoreContract {

    static final Instant T0 = Instant.parse("2024-01-31T15:00:00Z");

    /** A new store on this test's database. */
    abstract MeterStore open();

    abstract Dialect dialect();

    /** A plain JDBC connection to this test's database. */
    abstract Connection rawConnection() throws SQLException;

    static Reading reading(String meter, Instant time, long volumeL) {
        return new Reading(meter, time, time.plusSeconds(3), volumeL, ReadingSource.CJT188, Set.of(), 0);
    }

    static ConsumptionInterval interval(String meter, Instant start, long volumeL, IntervalFlag... flags) {
        return new ConsumptionInterval(meter, start, start.plus(Duration.ofMinutes(15)), volumeL,
                flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags));
    }

    static MeterInfo meterInfo(String id, long base) {
        return new MeterInfo(id, Medium.GAS, base, T0.minus(Duration.ofDays(30)), MeterInfo.CJT188_CAPACITY_L);
    }

    @Test
    void reappendingTheSameRowsChangesNothing() {
        try (MeterStore store = open()) {
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                readings.add(reading("M1", T0.plus(Duration.ofMinutes(15L * i)), 1_000L + 10L * i));
                intervals.add(interval("M1", T0.plus(Duration.ofMinutes(15L * i)), 10));
            }
            store.append(readings.subList(0, 5), intervals.subList(0, 5));
            store.append(readings, intervals); // overlaps the first batch
            List<Reading> twice = new ArrayList<>(readings);
            twice.addAll(readings);
            List<ConsumptionInterval> twiceI = new ArrayList<>(intervals);
            twiceI.addAll(intervals);
            store.append(twice, twiceI); // duplicates inside one batch
            store.append(readings, intervals);
            // the same key with other values is ignored too: nothing is updated in place
            Reading changed = new Reading("M1", T0, T0, 999_999, ReadingSource.CJT188, Set.of(ReadingFlag.LATE), 7);
            store.append(List.of(changed), List.of(interval("M1", T0, 5_000)));

            assertThat(store.readingCount()).isEqualTo(8);
            assertThat(store.readings("M1", Instant.EPOCH, T0.plus(Duration.ofDays(1)))).isEqualTo(readings);
            assertThat(store.intervals("M1", Instant.EPOCH, T0.plus(Duration.ofDays(1)))).isEqualTo(intervals);
        }
    }

    @Test
    void readingsAndIntervalsComeOldestFirst() {
        try (MeterStore store = open()) {
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                readings.add(reading("M1", T0.plusSeconds(60L * i), i));
                intervals.add(interval("M1", T0.plus(Duration.ofMinutes(15L * i)), i));
            }
            // same time, two sources: ordered by source after time
            readings.add(new Reading("M1", T0.plusSeconds(60), T0, 1, ReadingSource.MANUAL, Set.of(), 0));
            List<Reading> shuffledR = new ArrayList<>(readings);
            List<ConsumptionInterval> shuffledI = new ArrayList<>(intervals);
            Collections.shuffle(shuffledR, new Random(1));
            Collections.shuffle(shuffledI, new Random(2));
            store.append(shuffledR, shuffledI);

            List<Reading> got = store.readings("M1", T0, T0.plus(Duration.ofDays(1)));
            assertThat(got).hasSize(51);
            assertThat(got).isSortedAccordingTo((a, b) -> a.time().equals(b.time())
                    ? a.source().name().compareTo(b.source().name()) : a.time().compareTo(b.time()));
            assertThat(got.get(1).source()).isEqualTo(ReadingSource.CJT188);
            assertThat(got.get(2).source()).isEqualTo(ReadingSource.MANUAL);
            assertThat(store.intervals("M1", T0, T0.plus(Duration.ofDays(1)))).isEqualTo(intervals);
        }
    }

    @Test
    void rangesIncludeFromAndExcludeTo() {
        try (MeterStore store = open()) {
            Instant from = T0;
            Instant to = T0.plus(Duration.ofHours(1));
            store.append(
                    List.of(reading("M1", from.minusMillis(1), 1), reading("M1", from, 2),
                            reading("M1", to.minusMillis(1), 3), reading("M1", to, 4), reading("M2", from, 5)),
                    List.of(interval("M1", from.minus(Duration.ofMinutes(15)), 1), interval("M1", from, 2),
                            interval("M1", to.minus(Duration.ofMinutes(15)), 3), interval("M1", to, 4),
                            interval("M2", from, 5)));

            assertThat(store.readings("M1", from, to)).extracting(Reading::volumeL).containsExactly(2L, 3L);
            assertThat(store.intervals("M1", from, to)).extracting(ConsumptionInterval::volumeL)
                    .containsExactly(2L, 3L);
            assertThat(store.readings("M1", from, from)).isEmpty();
            assertThat(store.readings("M1", to, from)).isEmpty();
            // bounds finer than a millisecond keep [from, to) exact
            assertThat(store.readings("M1", from.plusNanos(1), to)).extracting(Reading::volumeL).containsExactly(3L);
            assertThat(store.readings("M1", from, to.minusMillis(1).plusNanos(1)))
                    .extracting(Reading::volumeL).containsExactly(2L, 3L);
            // open-ended bounds
            assertThat(store.readings("M1", Instant.MIN, Instant.MAX)).hasSize(4);
            assertThat(store.intervals("M1", Instant.MIN, Instant.MAX)).hasSize(4);
            assertThat(store.readings("nobody", Instant.MIN, Instant.MAX)).isEmpty();
        }
    }

    @Test
    void lastReadingIsTheLatestByMeterTime() {
        try (MeterStore store = open()) {
            assertThat(store.lastReading("M1")).isEmpty();
            Reading latest = new Reading("M1", T0.plusSeconds(3600), T0, 30, ReadingSource.MODBUS, Set.of(), 0);
            store.append(List.of(latest, reading("M1", T0, 10)), List.of());
            // arrives later, but is older by meter time
            Reading late = new Reading("M1", T0.plusSeconds(1800), T0.plusSeconds(9999), 20, ReadingSource.CJT188,
                    Set.of(ReadingFlag.LATE), 0);
            store.append(List.of(late, reading("M2", T0.plusSeconds(7200), 99)), List.of());

            assertThat(store.lastReading("M1")).contains(latest);
            assertThat(store.lastReading("M2")).map(Reading::volumeL).contains(99L);
            assertThat(store.lastReading("M3")).isEmpty();
        }
    }

    @Test
    void lastReadingIsFoundHoweverFarBackOrAheadOfNowItIs() {
        // lastReading looks in the last two days (and ahead), then 32 days at a time back, then before:
        // the newest reading must win wherever it lies, and a meter read only long ago is still found.
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        java.util.function.BiFunction<String, Long, Reading> at = (meter, hours) ->
                reading(meter, now.plus(java.time.Duration.ofHours(hours)), Math.abs(hours) + 1);
        long day = 24;
        try (MeterStore store = open()) {
            store.append(List.of(at.apply("AHEAD", 3L), at.apply("AHEAD", -1L), at.apply("AHEAD", -40 * day)), List.of());
            store.append(List.of(at.apply("RECENT", -1 * day), at.apply("RECENT", -3 * day)), List.of());
            store.append(List.of(at.apply("EDGE", -2 * day - 1), at.apply("EDGE", -40 * day)), List.of());
            store.append(List.of(at.apply("MONTHS", -100 * day), at.apply("MONTHS", -300 * day)), List.of());
            store.append(List.of(at.apply("YEARS", -600 * day), at.apply("YEARS", -1000 * day)), List.of());

            assertThat(store.lastReading("AHEAD").orElseThrow().time()).isEqualTo(now.plusSeconds(3 * 3600));
            assertThat(store.lastReading("RECENT").orElseThrow().time()).isEqualTo(now.minus(java.time.Duration.ofDays(1)));
            assertThat(store.lastReading("EDGE").orElseThrow().time())
                    .isEqualTo(now.minus(java.time.Duration.ofHours(2 * day + 1)));
            assertThat(store.lastReading("MONTHS").orElseThrow().time()).isEqualTo(now.minus(java.time.Duration.ofDays(100)));
            assertThat(store.lastReading("YEARS").orElseThrow().time()).isEqualTo(now.minus(java.time.Duration.ofDays(600)));
            assertThat(store.lastReading("NEVER")).isEmpty();
        }
    }

    @Test
    void flagsStatusAndTimesRoundTrip() throws SQLException {
        try (MeterStore store = open()) {
            Reading all = new Reading("M1", T0, T0.plusMillis(1234), 5, ReadingSource.MQTT,
                    EnumSet.allOf(ReadingFlag.class), 0xBEEF);
            Reading some = new Reading("M1", T0.plusSeconds(1), T0.plusSeconds(2), 6, ReadingSource.ESTIMATED,
                    Set.of(ReadingFlag.LOW_BATTERY, ReadingFlag.CLOCK_SKEW, ReadingFlag.ESTIMATED), -1);
            Reading none = new Reading("M1", T0.plusSeconds(2), T0.plusSeconds(3), Long.MAX_VALUE,
                    ReadingSource.MANUAL, Set.of(), Integer.MIN_VALUE);
            ConsumptionInterval spread = interval("M1", T0, 0, IntervalFlag.SPREAD, IntervalFlag.ROLLOVER,
                    IntervalFlag.ESTIMATED);
            ConsumptionInterval decrease = interval("M1", T0.plus(Duration.ofMinutes(15)), 0,
                    IntervalFlag.REGISTER_DECREASE);
            ConsumptionInterval plain = interval("M1", T0.plus(Duration.ofMinutes(30)), Long.MAX_VALUE);
            store.append(List.of(all, some, none), List.of(spread, decrease, plain));

            assertThat(store.readings("M1", T0, T0.plusSeconds(60))).containsExactly(all, some, none);
            assertThat(store.intervals("M1", T0, T0.plusSeconds(3600))).containsExactly(spread, decrease, plain);
        }
        try (Connection c = rawConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select flags from readings order by time")) {
            List<String> stored = new ArrayList<>();
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
            assertThat(stored).containsExactly(
                    "CLOCK_INVALID,CLOCK_SKEW,ESTIMATED,LATE,LOW_BATTERY,PRECISION_LOSS,SETTLEMENT,VALVE_CLOSED,VALVE_FAULT",
                    "CLOCK_SKEW,ESTIMATED,LOW_BATTERY", "");
        }
        try (Connection c = rawConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select flags from consumption order by start_time")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ESTIMATED,ROLLOVER,SPREAD");
        }
    }

    @Test
    void theMeterClockIsKeptBesideTheReadingTimeAndNullWhenAbsent() throws SQLException {
        Instant skewed = T0.minus(Duration.ofMinutes(47)).plusNanos(987_654_321); // kept to the millisecond
        Reading withClock = new Reading("M1", T0, T0, 10, ReadingSource.CJT188, Set.of(ReadingFlag.CLOCK_SKEW), 0,
                skewed);
        Reading withoutClock = new Reading("M1", T0.plusSeconds(60), T0.plusSeconds(60), 11, ReadingSource.CJT188,
                Set.of(ReadingFlag.CLOCK_INVALID), 0, null);
        Reading sameClock = new Reading("M2", T0, T0.plusSeconds(1), 12, ReadingSource.MQTT, Set.of(), 0, T0);
        try (MeterStore store = open()) {
            store.append(List.of(withClock, withoutClock, sameClock), List.of());
            store.append(List.of(withClock), List.of()); // a replay goes another way on PostgreSQL (staging)

            List<Reading> back = store.readings("M1", T0, T0.plusSeconds(120));
            assertThat(back).extracting(Reading::meterTime)
                    .containsExactly(skewed.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), null);
            assertThat(store.lastReading("M2").orElseThrow().meterTime()).isEqualTo(T0);
        }
        try (Connection c = rawConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*), count(meter_time) from readings")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
            assertThat(rs.getInt(2)).as("rows with a meter clock").isEqualTo(2);
        }
    }

    @Test
    void timesAreKeptToTheMillisecond() {
        try (MeterStore store = open()) {
            Instant fine = T0.plusNanos(123_456_789);
            store.append(List.of(new Reading("M1", fine, fine.plusNanos(1), 1, ReadingSource.MQTT, Set.of(), 0)),
                    List.of(new ConsumptionInterval("M1", fine, fine.plusSeconds(60), 1, Set.of())));
            Reading back = store.lastReading("M1").orElseThrow();
            assertThat(back.time()).isEqualTo(T0.plusMillis(123));
            assertThat(back.receivedAt()).isEqualTo(T0.plusMillis(123));
            assertThat(store.intervals("M1", T0, T0.plusSeconds(1)).get(0).start()).isEqualTo(T0.plusMillis(123));
        }
    }

    @Test
    void theStorableRangeRoundTripsAndTimesOutsideItAreRefused() {
        try (MeterStore store = open()) {
            Instant first = JdbcMeterStore.TIME_MIN;
            Instant last = JdbcMeterStore.TIME_END.minusMillis(1);
            store.append(List.of(reading("M1", first, 1), reading("M1", last.minusSeconds(3), 2)), List.of());
            assertThat(store.readings("M1", Instant.MIN, Instant.MAX)).extracting(Reading::time)
                    .containsExactly(first, last.minusSeconds(3));
            assertThatThrownBy(() -> store.append(List.of(reading("M1", first.minusMillis(1), 1)), List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storable range");
        }
    }

    @Test
    void anAppendIsOneTransaction() {
        try (MeterStore store = open()) {
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < 2_500; i++) { // spans several JDBC batches
                readings.add(reading("M1", T0.plusSeconds(i), i));
            }
            readings.add(reading("M1", Instant.parse("+10000-01-01T00:00:00Z"), 1)); // refused at the end
            assertThatThrownBy(() -> store.append(readings, List.of(interval("M1", T0, 1))))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.readingCount()).isZero();
            assertThat(store.intervals("M1", Instant.MIN, Instant.MAX)).isEmpty();
            // and the store still works
            store.append(readings.subList(0, 2_500), List.of());
            assertThat(store.readingCount()).isEqualTo(2_500);
        }
    }

    @Test
    void registeringAMeterTwiceKeepsTheFirst() {
        try (MeterStore store = open()) {
            MeterInfo first = meterInfo("M1", 100);
            store.registerMeter(first);
            store.registerMeter(new MeterInfo("M1", Medium.WATER, 5, T0, 10));
            store.registerMeter(meterInfo("A0", 7));

            assertThat(store.meter("M1")).contains(first);
            assertThat(store.meter("nobody")).isEmpty();
            assertThat(store.meters()).extracting(MeterInfo::meterId).containsExactly("A0", "M1");
        }
    }

    @Test
    void reopeningRerunsNoMigrationAndKeepsTheData() throws SQLException {
        try (MeterStore store = open()) {
            store.registerMeter(meterInfo("M1", 1));
            store.append(List.of(reading("M1", T0, 1)), List.of(interval("M1", T0, 1)));
        }
        List<String> before = migrationRows();
        assertThat(before).isNotEmpty();
        assertThat(before.get(0)).startsWith("1 V1__base.sql ");
        assertThat(before).hasSize(Migrations.load(dialect()).size());

        try (MeterStore again = open()) {
            assertThat(again.readingCount()).isEqualTo(1);
            assertThat(again.meter("M1")).isPresent();
            assertThat(again.intervals("M1", T0, T0.plusSeconds(3600))).hasSize(1);
        }
        assertThat(migrationRows()).isEqualTo(before);
    }

    private List<String> migrationRows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = rawConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select version, name, applied_at from schema_migrations order by version")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }

    @Test
    void readingCountCountsEveryMeter() {
        try (MeterStore store = open()) {
            assertThat(store.readingCount()).isZero();
            store.append(List.of(reading("M1", T0, 1), reading("M2", T0, 1),
                    new Reading("M1", T0, T0, 1, ReadingSource.MANUAL, Set.of(), 0)), List.of());
            store.append(List.of(reading("M1", T0, 1)), List.of());
            assertThat(store.readingCount()).isEqualTo(3);
        }
    }

    @Test
    void oneWriterAndConcurrentReadersSeeWholeAppends() throws Exception {
        int batches = 40;
        int batchSize = 100;
        try (MeterStore store = open()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(3);
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Thread t = new Thread(() -> {
                    started.countDown();
                    long previous = 0;
                    try {
                        while (writing.get()) {
                            long count = store.readingCount();
                            if (count % batchSize != 0 || count < previous) {
                                throw new AssertionError("saw " + count + " readings after " + previous);
                            }
                            previous = count;
                            int n = store.readings("M1", Instant.MIN, Instant.MAX).size();
                            if (n % batchSize != 0 || n < count) {
                                throw new AssertionError("saw a partial append: " + n + " readings");
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "reader-" + r);
                t.start();
                readers.add(t);
            }
            started.await();
            for (int b = 0; b < batches; b++) {
                List<Reading> batch = new ArrayList<>();
                for (int i = 0; i < batchSize; i++) {
                    batch.add(reading("M1", T0.plusSeconds((long) b * batchSize + i), i));
                }
                store.append(batch, List.of());
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join(60_000);
            }
            assertThat(errors).isEmpty();
            assertThat(store.readingCount()).isEqualTo((long) batches * batchSize);
        }
    }

    @Test
    void aClosedStoreRefusesWork() {
        MeterStore store = open();
        store.close();
        store.close(); // twice is harmless
        assertThatThrownBy(store::readingCount).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.append(List.of(reading("M1", T0, 1)), List.of()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void describeNamesTheStore() {
        try (MeterStore store = open()) {
            assertThat(store.describe()).isNotBlank().doesNotContain("password=meterhub");
        }
    }
}
