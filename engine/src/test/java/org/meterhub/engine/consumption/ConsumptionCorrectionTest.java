package org.meterhub.engine.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;

class ConsumptionCorrectionTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final long CAP = MeterInfo.CJT188_CAPACITY_L;

    private static Reading reading(String meter, long minutes, long litres) {
        Instant t = T0.plusSeconds(minutes * 60);
        return new Reading(meter, t, t, litres, ReadingSource.CJT188, Set.of(), 0);
    }

    /** Calculator + history + ledger wired the way the ingest pipeline does. */
    private static final class Harness {
        final InMemoryReadingHistory history = new InMemoryReadingHistory();
        final IntervalLedger ledger = new IntervalLedger();
        final ConsumptionCalculator calc;
        final List<Arrival> arrivals = new ArrayList<>();

        Harness(Optional<ConsumptionCalculator.Baseline> base) {
            calc = new ConsumptionCalculator(ConsumptionSettings.defaults(), id -> base, history, new MeterKeys(4), 4);
        }

        void feed(Reading r) {
            ConsumptionCalculator.Outcome o = calc.arrive(r);
            arrivals.add(o.arrival());
            ledger.append(o.intervals());
            o.correction().ifPresent(ledger::correct);
            history.add(r);
        }
    }

    private static List<String> shape(List<ConsumptionInterval> intervals) {
        List<String> out = new ArrayList<>();
        for (ConsumptionInterval i : intervals) {
            out.add(i.start() + ".." + i.end() + "=" + i.volumeL() + EnumSet.copyOf(i.flags().isEmpty()
                    ? EnumSet.noneOf(IntervalFlag.class) : i.flags()));
        }
        return out;
    }

    @Test
    void lateReadingSplitsTheSpanByANewRecord() {
        Harness h = new Harness(Optional.of(new ConsumptionCalculator.Baseline(T0, 0, CAP)));
        h.feed(reading("m", 20, 100));
        h.feed(reading("m", 50, 400)); // [00:20, 00:50) = 300
        h.feed(reading("m", 35, 150)); // late: [00:20,00:35)=50, [00:35,00:50)=250
        assertThat(h.arrivals).containsExactly(Arrival.IN_ORDER, Arrival.IN_ORDER, Arrival.LATE_CORRECTED);
        assertThat(h.ledger.corrections("m")).singleElement().satisfies(c -> {
            assertThat(c.from()).isEqualTo(T0.plusSeconds(20 * 60));
            assertThat(c.to()).isEqualTo(T0.plusSeconds(50 * 60));
            assertThat(c.totalL()).isEqualTo(300);
            assertThat(c.cause()).contains("late reading");
        });
        assertThat(h.ledger.effective("m")).extracting(ConsumptionInterval::volumeL).containsExactly(100L, 50L, 250L);
        assertThat(h.ledger.effective("m").get(1)).isEqualTo(h.ledger.corrections("m").get(0).replacement().get(0));
    }

    @Test
    void redeliveredOldReadingIsADuplicate() {
        Harness h = new Harness(Optional.empty());
        h.feed(reading("m", 0, 0));
        h.feed(reading("m", 60, 10));
        h.feed(reading("m", 120, 20));
        h.feed(reading("m", 60, 10));
        assertThat(h.arrivals).containsExactly(Arrival.FIRST, Arrival.IN_ORDER, Arrival.IN_ORDER, Arrival.DUPLICATE);
        assertThat(h.ledger.corrections("m")).isEmpty();
    }

    @Test
    void meterExchangeCountsOldFinalAndStartsNewMeterAtItsFirstReading() {
        Harness h = new Harness(Optional.empty());
        h.feed(reading("old", 0, 5_000));
        List<ConsumptionInterval> fin = h.calc.exchange(new MeterExchange("old", 5_400, "new", 12, CAP,
                T0.plusSeconds(30 * 60), "WO-17"));
        assertThat(fin).singleElement().satisfies(i -> {
            assertThat(i.volumeL()).isEqualTo(400);
            assertThat(i.end()).isEqualTo(T0.plusSeconds(30 * 60));
        });
        h.feed(reading("new", 60, 112));
        assertThat(h.ledger.effective("new")).singleElement().extracting(ConsumptionInterval::volumeL).isEqualTo(100L);
        h.feed(reading("old", 90, 5_500)); // the old meter still talking after it was removed
        assertThat(h.arrivals).last().isEqualTo(Arrival.AFTER_EXCHANGE);
    }

    @Test
    void estimatesNeverMakeConsumption() {
        Harness h = new Harness(Optional.empty());
        Instant t = T0.plusSeconds(600);
        h.feed(new Reading("m", t, t, 99, ReadingSource.ESTIMATED, Set.of(), 0));
        assertThat(h.arrivals).containsExactly(Arrival.NOT_MEASURED);
    }

    /** The sum of interval consumption equals the register difference plus rollovers, in any order. */
    @Property(tries = 300)
    void anyOrderWithDuplicatesGivesTheSameIntervals(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 3_000) Integer> steps,
            @ForAll @Size(min = 40, max = 40) List<@IntRange(min = 1, max = 300) Integer> gaps,
            @ForAll boolean withBaseline, @ForAll long seed) {
        long start = CAP - 20_000; // rollovers happen
        Optional<ConsumptionCalculator.Baseline> base = withBaseline
                ? Optional.of(new ConsumptionCalculator.Baseline(T0, start, CAP)) : Optional.empty();
        List<Reading> ordered = new ArrayList<>();
        long register = start;
        long minutes = 0;
        long expected = 0;
        for (int i = 0; i < steps.size(); i++) {
            minutes += gaps.get(i);
            register = (register + steps.get(i)) % CAP;
            expected += steps.get(i);
            ordered.add(reading("m", minutes, register));
        }
        if (!withBaseline) expected -= steps.get(0); // the first reading only starts the count

        Harness inOrder = new Harness(base);
        ordered.forEach(inOrder::feed);
        Random rnd = new Random(seed);
        List<Reading> shuffled = new ArrayList<>(ordered);
        for (int i = 0; i < ordered.size() / 3 + 1; i++) shuffled.add(ordered.get(rnd.nextInt(ordered.size())));
        Collections.shuffle(shuffled, rnd);
        Harness anyOrder = new Harness(base);
        shuffled.forEach(anyOrder::feed);

        List<ConsumptionInterval> a = inOrder.ledger.effective("m");
        List<ConsumptionInterval> b = anyOrder.ledger.effective("m");
        assertThat(inOrder.ledger.corrections("m")).isEmpty();
        assertThat(a.stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(expected);
        assertThat(shape(b)).isEqualTo(shape(a));
        for (int i = 1; i < b.size(); i++) assertThat(b.get(i).start()).isEqualTo(b.get(i - 1).end());
    }
}
