package org.meterhub.gateway.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meterhub.gateway.clock.ClockTrust.Judgement;
import org.meterhub.gateway.clock.SyncProbe.Sync;

class ClockTrustTest {
    /** The true time in the tests: the meters' clocks show it. */
    static final Instant TRUE = Instant.parse("2026-11-24T02:00:00Z");
    static final Instant FLAT_RTC = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant BUILT = Instant.parse("2026-10-01T00:00:00Z");
    static final Duration SKEW = Duration.ofMinutes(10);
    static final Duration QUARTER = Duration.ofMinutes(15);

    private final ClockSettings settings = ClockSettings.defaults().withoutSyncProbe();

    private ClockTrust trust(FakeTime t, Sync sync) {
        return new ClockTrust(settings, t.clock, t.mono(), SyncProbe.fixed(sync), BUILT);
    }

    /** Meter clocks that show the true time plus {@code off}, sampled at wall-clock-independent monotonic time. */
    private static Instant meterClock(FakeTime t, Instant trueAtStart, long monoAtStart, Duration off) {
        return trueAtStart.plusNanos(t.monoNow() - monoAtStart).plus(off);
    }

    @Test
    void aGatewayAt2000WithoutSyncIsNotTrustedAndHasNoTimeUntilMetersAgree() {
        FakeTime t = new FakeTime(FLAT_RTC);
        ClockTrust trust = trust(t, Sync.UNKNOWN);
        long m0 = t.monoNow();
        assertThat(trust.trusted()).isFalse();
        assertThat(trust.status().text()).isEqualTo("clock: UNTRUSTED (before the build date 2026-10-01, no time yet)");

        Judgement a = trust.judge("A", meterClock(t, TRUE, m0, Duration.ofSeconds(-20)), SKEW);
        t.advance(Duration.ofSeconds(1));
        Judgement b = trust.judge("B", meterClock(t, TRUE, m0, Duration.ofSeconds(5)), SKEW);
        assertThat(a.known()).isFalse();
        assertThat(b.known()).isFalse();
        assertThat(trust.hasTime()).isFalse();

        t.advance(Duration.ofSeconds(1));
        Instant cClock = meterClock(t, TRUE, m0, Duration.ofSeconds(40));
        Judgement c = trust.judge("C", cClock, SKEW);
        assertThat(c.known()).isTrue();
        assertThat(c.time()).isEqualTo(cClock); // its own clock agrees with the others: it is the reading's time
        assertThat(c.skewed()).isFalse();
        // the timeline is the median meter clock, 5 s ahead of the truth here, and nowhere near 2000
        assertThat(Duration.between(TRUE.plusSeconds(2), c.receivedAt()).abs()).isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(trust.status().text()).isEqualTo("clock: UNTRUSTED (behind meters by 26y)");
    }

    @Test
    void withMetersAgreeingAReadingWithoutAClockAndAMeterFarOffAreStampedOnTheirConsensus() {
        FakeTime t = new FakeTime(FLAT_RTC);
        ClockTrust trust = trust(t, Sync.UNKNOWN);
        long m0 = t.monoNow();
        for (String meter : List.of("A", "B", "C", "D")) trust.judge(meter, meterClock(t, TRUE, m0, Duration.ZERO), SKEW);
        t.advance(QUARTER);

        Judgement noClock = trust.judge("E", null, SKEW);
        assertThat(noClock.time()).isEqualTo(TRUE.plus(QUARTER));
        assertThat(noClock.skewed()).isFalse();
        Judgement farOff = trust.judge("F", Instant.parse("2019-05-05T00:00:00Z"), SKEW);
        assertThat(farOff.time()).isEqualTo(TRUE.plus(QUARTER));
        assertThat(farOff.skewed()).isTrue();
    }

    @Test
    void metersThatDoNotAgreeGiveNoTime() {
        FakeTime t = new FakeTime(FLAT_RTC);
        ClockTrust trust = trust(t, Sync.UNKNOWN);
        trust.judge("A", TRUE, SKEW);
        trust.judge("B", TRUE.plus(Duration.ofHours(3)), SKEW);
        trust.judge("C", TRUE.minus(Duration.ofDays(40)), SKEW);
        trust.judge("D", TRUE.plus(Duration.ofDays(400)), SKEW);
        assertThat(trust.hasTime()).isFalse();
        assertThat(trust.judge("E", null, SKEW).known()).isFalse();
    }

    @Test
    void aSynchronisedClockIsTrustedWhateverItsDate() {
        FakeTime t = new FakeTime(FLAT_RTC);
        ClockTrust trust = trust(t, Sync.SYNCED);
        assertThat(trust.trusted()).isTrue();
        assertThat(trust.status().text()).isEqualTo("clock: synchronised");
    }

    @Test
    void aClockBehindTheNewestReadingIsNotTrusted() {
        FakeTime t = new FakeTime(TRUE);
        ClockTrust trust = trust(t, Sync.UNKNOWN);
        assertThat(trust.trusted()).isTrue();
        trust.raiseFloor(TRUE.plus(Duration.ofDays(3)));
        assertThat(trust.trusted()).isFalse();
        assertThat(trust.status().reason()).isEqualTo("behind the newest reading by 3d");
    }

    @Test
    void whenTheClockStepsToTheTruthTheTimelineCatchesUpWithoutNegativeIntervalOrGap() {
        FakeTime t = new FakeTime(FLAT_RTC);
        ClockTrust trust = trust(t, Sync.UNKNOWN);
        long m0 = t.monoNow();
        // the meters' consensus is 40 s ahead of the truth
        for (String meter : List.of("A", "B", "C")) {
            trust.judge(meter, meterClock(t, TRUE, m0, Duration.ofSeconds(40)), SKEW);
        }
        Stamps stamps = new Stamps(t);
        stamps.add(trust.judge("X", null, SKEW).time());
        t.advance(QUARTER);
        stamps.add(trust.judge("X", null, SKEW).time());
        // network time arrives: the wall clock steps 26 years forward to the truth
        t.step(Duration.between(t.wall(), TRUE.plus(QUARTER)));
        assertThat(trust.trusted()).isTrue();
        for (int i = 0; i < 8; i++) {
            t.advance(Duration.ofMinutes(1));
            stamps.add(trust.judge("X", null, SKEW).time());
        }
        stamps.assertIntervalsReal(10);
        // after 8 minutes at up to 10 % the 40 s are absorbed: the timeline is on the wall clock again
        assertThat(stamps.last()).isEqualTo(t.wall());
        assertThat(trust.judge("X", null, SKEW).onWall()).isTrue();
        assertThat(stamps.times).allSatisfy(s -> assertThat(s).isAfter(BUILT));
    }

    @Test
    void aStepBackOfAnHourWhileSynchronisedLeavesNoNegativeIntervalAndNoDuplicate() {
        FakeTime t = new FakeTime(TRUE);
        ClockTrust trust = trust(t, Sync.SYNCED);
        Stamps stamps = new Stamps(t);
        stamps.add(trust.judge("X", null, SKEW).time());
        t.advance(QUARTER);
        stamps.add(trust.judge("X", null, SKEW).time());
        t.step(Duration.ofHours(-1));
        for (int i = 0; i < 48; i++) { // 12 h of quarter-hour reads
            t.advance(QUARTER);
            Judgement j = trust.judge("X", null, SKEW);
            stamps.add(j.time());
        }
        stamps.assertIntervalsReal(10);
        assertThat(stamps.times).doesNotHaveDuplicates();
        assertThat(stamps.last()).isEqualTo(t.wall()); // caught up within 10 h
        assertThat(trust.status().steps()).isEqualTo(1);
        assertThat(trust.status().lastStep()).isEqualTo(Duration.ofHours(-1));
    }

    @Test
    void aStepForwardOfAnHourWhileSynchronisedLeavesNoGap() {
        FakeTime t = new FakeTime(TRUE);
        ClockTrust trust = trust(t, Sync.SYNCED);
        Stamps stamps = new Stamps(t);
        stamps.add(trust.judge("X", null, SKEW).time());
        t.step(Duration.ofHours(1));
        for (int i = 0; i < 48; i++) {
            t.advance(QUARTER);
            stamps.add(trust.judge("X", null, SKEW).time());
        }
        stamps.assertIntervalsReal(10);
        assertThat(stamps.last()).isEqualTo(t.wall());
    }

    @Test
    void aMeterWithAGoodClockKeepsItsOwnTimeAcrossAStep() {
        FakeTime t = new FakeTime(TRUE);
        ClockTrust trust = trust(t, Sync.SYNCED);
        long m0 = t.monoNow();
        t.advance(QUARTER);
        t.step(Duration.ofHours(-1)); // the gateway was an hour ahead (but said it was synchronised)
        t.step(Duration.ofHours(1));
        t.advance(QUARTER);
        Instant meter = meterClock(t, TRUE, m0, Duration.ZERO);
        Judgement j = trust.judge("A", meter, SKEW);
        assertThat(j.time()).isEqualTo(meter);
        assertThat(j.skewed()).isFalse();
    }

    @Test
    void anUnsynchronisedStepBackBehindTheNewestReadingKeepsTheTimelineRunning() {
        FakeTime t = new FakeTime(TRUE);
        ClockTrust trust = trust(t, Sync.UNKNOWN);
        Stamps stamps = new Stamps(t);
        stamps.add(trust.judge("X", null, SKEW).time());
        t.advance(QUARTER);
        stamps.add(trust.judge("X", null, SKEW).time());
        t.step(Duration.ofHours(-1));
        t.advance(QUARTER);
        Judgement j = trust.judge("X", null, SKEW);
        stamps.add(j.time());
        assertThat(trust.trusted()).isFalse(); // behind the reading it stamped a quarter ago
        assertThat(j.known()).isTrue(); // the timeline of this run goes on by the monotonic clock
        stamps.assertIntervalsReal(0);
        assertThat(trust.status().text()).startsWith("clock: UNTRUSTED (behind the newest reading by 45m");
    }

    @Test
    void anMqttTsFromDaysAgoIsTheMeasurementTimeButAheadIsSkew() {
        FakeTime t = new FakeTime(TRUE);
        ClockTrust trust = trust(t, Sync.SYNCED);
        Instant threeDaysAgo = TRUE.minus(Duration.ofDays(3));
        Judgement late = trust.judge("M", threeDaysAgo, Duration.ofDays(7));
        assertThat(late.time()).isEqualTo(threeDaysAgo);
        assertThat(late.skewed()).isFalse();
        Judgement ahead = trust.judge("M", TRUE.plus(Duration.ofHours(1)), Duration.ofDays(7));
        assertThat(ahead.skewed()).isTrue();
        assertThat(ahead.time()).isEqualTo(TRUE);
        Judgement polled = trust.judge("P", threeDaysAgo, SKEW);
        assertThat(polled.skewed()).isTrue();
    }

    /** Readings' times with the monotonic time each was taken at. */
    static final class Stamps {
        final List<Instant> times = new ArrayList<>();
        final List<Long> monos = new ArrayList<>();
        private final FakeTime t;

        Stamps(FakeTime t) {
            this.t = t;
        }

        void add(Instant time) {
            times.add(time);
            monos.add(t.monoNow());
        }

        Instant last() {
            return times.get(times.size() - 1);
        }

        /**
         * Strictly increasing, and each interval is the real (monotonic) one within {@code percent} % (the slew), or
         * within the step threshold (2 s) where the timeline snapped onto its reference: no negative interval, no
         * duplicate, no gap that is not real.
         */
        void assertIntervalsReal(int percent) {
            for (int i = 1; i < times.size(); i++) {
                long stamped = Duration.between(times.get(i - 1), times.get(i)).toNanos();
                long real = monos.get(i) - monos.get(i - 1);
                long slack = real / 100 * percent + Duration.ofSeconds(2).toNanos();
                assertThat(stamped).as("interval %d: stamped %s, real %s", i, Duration.ofNanos(stamped), Duration.ofNanos(real))
                        .isPositive().isBetween(real - slack, real + slack);
            }
        }
    }
}
