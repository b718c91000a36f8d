package org.meterhub.engine.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HourSplitterTest {

    @Test
    void withinOneHourStaysOneInterval() {
        Instant a = Instant.parse("2026-11-24T08:10:00Z");
        List<ConsumptionInterval> out = HourSplitter.split("m", a, a.plusSeconds(600), 70, Set.of());
        assertThat(out).singleElement().satisfies(i -> {
            assertThat(i.volumeL()).isEqualTo(70);
            assertThat(i.start()).isEqualTo(a);
        });
    }

    @Test
    void splitsAtHourBoundariesInProportionToTime() {
        Instant a = Instant.parse("2026-11-24T08:30:00Z");
        Instant b = Instant.parse("2026-11-24T10:00:00Z");
        List<ConsumptionInterval> out = HourSplitter.split("m", a, b, 300, Set.of(IntervalFlag.SPREAD));
        assertThat(out).extracting(ConsumptionInterval::volumeL).containsExactly(100L, 200L);
        assertThat(out).extracting(ConsumptionInterval::start)
                .containsExactly(a, Instant.parse("2026-11-24T09:00:00Z"));
        assertThat(out).allSatisfy(i -> assertThat(i.flags()).containsExactly(IntervalFlag.SPREAD));
    }

    @Test
    void roundingNeverLosesALitre() {
        Instant a = Instant.parse("2026-11-24T08:20:00Z");
        Instant b = Instant.parse("2026-11-24T10:40:00Z");
        List<ConsumptionInterval> out = HourSplitter.split("m", a, b, 10, Set.of());
        assertThat(out).extracting(ConsumptionInterval::volumeL).containsExactly(3L, 4L, 3L);
    }

    @Property(tries = 300)
    void piecesAddUpAndNeverCrossAnHour(@ForAll @LongRange(min = 1, max = 400_000) long seconds,
                                        @ForAll @LongRange(min = 0, max = 50_000_000) long volume,
                                        @ForAll @LongRange(min = 0, max = 86_399) long offset) {
        Instant a = Instant.parse("2026-11-24T00:00:00Z").plusSeconds(offset);
        List<ConsumptionInterval> out = HourSplitter.split("m", a, a.plusSeconds(seconds), volume, Set.of());
        assertThat(out.stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(volume);
        assertThat(out.get(0).start()).isEqualTo(a);
        assertThat(out.get(out.size() - 1).end()).isEqualTo(a.plusSeconds(seconds));
        for (ConsumptionInterval i : out) {
            long startHour = i.start().getEpochSecond() / 3600;
            long endHour = (i.end().getEpochSecond() - 1) / 3600;
            assertThat(endHour).isEqualTo(startHour);
        }
    }
}
