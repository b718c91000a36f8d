package org.meterhub.engine.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.SqliteStore;

class ConsumptionQueryTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final ZoneId UTC = ZoneId.of("UTC");

    private static ConsumptionInterval iv(String start, long volumeL, IntervalFlag... flags) {
        Instant s = Instant.parse(start);
        return new ConsumptionInterval("M1", s, s.plus(Duration.ofMinutes(15)), volumeL,
                flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags));
    }

    private static Instant t(String text) {
        return Instant.parse(text);
    }

    @Test
    void daysAreBillingDaysInTheUtilityZone() {
        // 15:00Z is 23:00 on Jan 31 in Shanghai; 16:00Z is 00:00 on Feb 1: a new day and a new month there
        List<ConsumptionInterval> intervals = List.of(iv("2024-01-31T15:00:00Z", 100), iv("2024-01-31T16:00:00Z", 7));
        Instant from = t("2024-01-30T16:00:00Z"); // 2024-01-31 00:00 +08
        Instant to = t("2024-02-01T16:00:00Z");   // 2024-02-02 00:00 +08

        List<Bucket> shanghai = ConsumptionQuery.series(intervals, from, to, Step.DAY, SHANGHAI);
        assertThat(shanghai).extracting(Bucket::start).containsExactly(from, t("2024-01-31T16:00:00Z"));
        assertThat(shanghai).extracting(Bucket::volumeL).containsExactly(100L, 7L);

        List<Bucket> months = ConsumptionQuery.series(intervals, from, to, Step.MONTH, SHANGHAI);
        assertThat(months).extracting(Bucket::volumeL).containsExactly(100L, 7L);
        assertThat(months.get(1).start()).isEqualTo(t("2024-01-31T16:00:00Z"));

        List<Bucket> utc = ConsumptionQuery.series(intervals, t("2024-01-31T00:00:00Z"), t("2024-02-02T00:00:00Z"),
                Step.DAY, UTC);
        assertThat(utc).extracting(Bucket::volumeL).containsExactly(107L, 0L);
    }

    @Test
    void emptyBucketsAreIncludedWithVolumeZero() {
        List<ConsumptionInterval> intervals = List.of(iv("2024-03-01T01:00:00Z", 5), iv("2024-03-01T01:15:00Z", 6),
                iv("2024-03-01T04:45:00Z", 1));
        List<Bucket> hours = ConsumptionQuery.series(intervals, t("2024-03-01T00:00:00Z"), t("2024-03-01T06:00:00Z"),
                Step.HOUR, SHANGHAI);
        assertThat(hours).hasSize(6);
        assertThat(hours).extracting(Bucket::volumeL).containsExactly(0L, 11L, 0L, 0L, 1L, 0L);
        assertThat(hours).extracting(Bucket::intervals).containsExactly(0, 2, 0, 0, 1, 0);
        assertThat(hours.get(0).flags()).isEmpty();
        assertThat(hours.get(0).isEmpty()).isTrue();
        for (int i = 0; i + 1 < hours.size(); i++) {
            assertThat(hours.get(i).end()).isEqualTo(hours.get(i + 1).start());
            assertThat(Duration.between(hours.get(i).start(), hours.get(i).end())).isEqualTo(Duration.ofHours(1));
        }
        assertThat(ConsumptionQuery.total(hours)).isEqualTo(12);

        // a whole month without any interval is still a month of zero days
        List<Bucket> april = ConsumptionQuery.series(List.of(), t("2024-03-31T16:00:00Z"), t("2024-04-30T16:00:00Z"),
                Step.DAY, SHANGHAI);
        assertThat(april).hasSize(30).allMatch(b -> b.volumeL() == 0 && b.isEmpty());
    }

    @Test
    void aBucketsFlagsAreTheUnionOfItsIntervals() {
        List<ConsumptionInterval> intervals = List.of(
                iv("2024-03-01T01:00:00Z", 5, IntervalFlag.SPREAD),
                iv("2024-03-01T01:15:00Z", 6, IntervalFlag.ROLLOVER, IntervalFlag.SPREAD),
                iv("2024-03-01T01:30:00Z", 0, IntervalFlag.REGISTER_DECREASE),
                iv("2024-03-01T02:00:00Z", 1),
                iv("2024-03-01T03:00:00Z", 2, IntervalFlag.ESTIMATED));
        List<Bucket> hours = ConsumptionQuery.series(intervals, t("2024-03-01T01:00:00Z"), t("2024-03-01T04:00:00Z"),
                Step.HOUR, SHANGHAI);
        assertThat(hours.get(0).flags()).containsExactly(IntervalFlag.SPREAD, IntervalFlag.ROLLOVER,
                IntervalFlag.REGISTER_DECREASE);
        assertThat(hours.get(1).flags()).isEmpty();
        assertThat(hours.get(2).flags()).containsExactly(IntervalFlag.ESTIMATED);
        assertThat(ConsumptionQuery.series(intervals, t("2024-03-01T00:00:00Z"), t("2024-03-02T00:00:00Z"),
                Step.DAY, UTC).get(0).flags()).containsExactlyInAnyOrder(IntervalFlag.values());
    }

    @Test
    void rangesOffTheGridCutTheFirstAndLastBucket() {
        List<ConsumptionInterval> intervals = List.of(iv("2024-03-01T00:45:00Z", 1), iv("2024-03-01T01:00:00Z", 2),
                iv("2024-03-01T02:00:00Z", 4), iv("2024-03-01T02:30:00Z", 8));
        Instant from = t("2024-03-01T01:00:00Z");
        Instant to = t("2024-03-01T02:30:00Z");
        List<Bucket> days = ConsumptionQuery.series(intervals, from, to, Step.DAY, SHANGHAI);
        assertThat(days).singleElement().satisfies(b -> {
            assertThat(b.start()).isEqualTo(from);
            assertThat(b.end()).isEqualTo(to);
            assertThat(b.volumeL()).isEqualTo(6);
        });
        List<Bucket> hours = ConsumptionQuery.series(intervals, t("2024-03-01T00:50:00Z"), to, Step.HOUR, SHANGHAI);
        assertThat(hours).extracting(Bucket::start).containsExactly(t("2024-03-01T00:50:00Z"), from,
                t("2024-03-01T02:00:00Z"));
        assertThat(hours).extracting(Bucket::volumeL).containsExactly(0L, 2L, 4L); // 00:45 starts before from
    }

    @Test
    void followsDaylightSavingDaysInZonesThatHaveThem() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        List<Bucket> days = ConsumptionQuery.series(List.of(), t("2024-03-29T23:00:00Z"), t("2024-04-01T22:00:00Z"),
                Step.DAY, berlin);
        assertThat(days).extracting(b -> Duration.between(b.start(), b.end()).toHours())
                .containsExactly(24L, 23L, 24L);
        assertThat(ConsumptionQuery.series(List.of(), t("2024-03-30T23:00:00Z"), t("2024-03-31T22:00:00Z"),
                Step.HOUR, berlin)).hasSize(23);
    }

    @Test
    void emptyAndBackwardRanges() {
        Instant t = t("2024-03-01T00:00:00Z");
        assertThat(ConsumptionQuery.series(List.of(iv("2024-03-01T00:00:00Z", 1)), t, t, Step.HOUR, UTC)).isEmpty();
        assertThatThrownBy(() -> ConsumptionQuery.series(List.of(), t, t.minusSeconds(1), Step.HOUR, UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> ConsumptionQuery.series(List.of(), t("1900-01-01T00:00:00Z"), t, Step.HOUR, UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buckets");
        assertThat(ConsumptionQuery.total(List.of())).isZero();
    }

    @Test
    void readsTheIntervalsFromTheStoreInTheDefaultZone() {
        try (MeterStore store = SqliteStore.inMemory()) {
            store.append(List.of(), List.of(iv("2024-01-31T15:00:00Z", 100), iv("2024-01-31T16:00:00Z", 7),
                    new ConsumptionInterval("M2", t("2024-01-31T16:00:00Z"), t("2024-01-31T16:15:00Z"), 50, Set.of())));
            List<Bucket> months = ConsumptionQuery.series(store, "M1", t("2023-12-31T16:00:00Z"),
                    t("2024-02-29T16:00:00Z"), Step.MONTH);
            assertThat(months).extracting(Bucket::volumeL).containsExactly(100L, 7L);
            assertThat(ConsumptionQuery.DEFAULT_ZONE).isEqualTo(SHANGHAI);
        }
    }

    // ---- properties ----

    /** Whatever the intervals and range, the buckets tile [from, to) and hold exactly the intervals in it. */
    @Property(tries = 300)
    void bucketsTileTheRangeAndSumExactly(@ForAll("intervals") List<ConsumptionInterval> intervals,
                                          @ForAll("offsets") int fromQuarter, @ForAll("offsets") int lengthQuarters,
                                          @ForAll Step step, @ForAll("zones") ZoneId zone) {
        Instant base = t("2024-01-28T00:00:00Z");
        Instant from = base.plus(Duration.ofMinutes(15L * fromQuarter)).plusSeconds(fromQuarter % 7);
        Instant to = from.plus(Duration.ofMinutes(15L * lengthQuarters));
        List<Bucket> series = ConsumptionQuery.series(intervals, from, to, step, zone);

        long expected = intervals.stream().filter(i -> !i.start().isBefore(from) && i.start().isBefore(to))
                .mapToLong(ConsumptionInterval::volumeL).sum();
        assertThat(ConsumptionQuery.total(series)).isEqualTo(expected);
        if (from.equals(to)) {
            assertThat(series).isEmpty();
            return;
        }
        assertThat(series.get(0).start()).isEqualTo(from);
        assertThat(series.get(series.size() - 1).end()).isEqualTo(to);
        for (int i = 0; i + 1 < series.size(); i++) {
            Bucket b = series.get(i);
            assertThat(b.end()).isEqualTo(series.get(i + 1).start());
            assertThat(step.floor(b.end(), zone)).isEqualTo(b.end()); // inner bounds are on the grid
        }
        assertThat(series.stream().mapToInt(Bucket::intervals).sum())
                .isEqualTo((int) intervals.stream().filter(i -> !i.start().isBefore(from) && i.start().isBefore(to)).count());
    }

    @Provide
    Arbitrary<List<ConsumptionInterval>> intervals() {
        Arbitrary<ConsumptionInterval> one = Combinators.combine(
                Arbitraries.integers().between(0, 4 * 24 * 70), // quarter hours in ~70 days
                Arbitraries.longs().between(0, 50_000),
                Arbitraries.subsetOf(IntervalFlag.values())).as((q, v, f) -> {
                    Instant s = t("2024-01-28T00:00:00Z").plus(Duration.ofMinutes(15L * q));
                    return new ConsumptionInterval("M1", s, s.plus(Duration.ofMinutes(15)), v, f);
                });
        return one.list().ofMaxSize(200).uniqueElements(ConsumptionInterval::start);
    }

    @Provide
    Arbitrary<Integer> offsets() {
        return Arbitraries.integers().between(0, 4 * 24 * 70);
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(SHANGHAI, UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"));
    }

    @Test
    void aBucketCopiesItsFlags() {
        EnumSet<IntervalFlag> flags = EnumSet.of(IntervalFlag.SPREAD);
        Bucket b = new Bucket(t("2024-01-01T00:00:00Z"), t("2024-01-01T01:00:00Z"), 1, flags, 1);
        flags.add(IntervalFlag.ROLLOVER);
        assertThat(b.flags()).containsExactly(IntervalFlag.SPREAD);
        assertThatThrownBy(() -> b.flags().add(IntervalFlag.ESTIMATED)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new Bucket(b.end(), b.start(), 0, Set.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new ArrayList<>(List.of(b))).containsExactly(
                new Bucket(b.start(), b.end(), 1, Set.of(IntervalFlag.SPREAD), 1));
    }
}
