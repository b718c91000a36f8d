package org.meterhub.engine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;

/**
 * Alarm deadlines follow the clock the rules are given, not the wall clock: the demo raises
 * alarms at simulated reading times, and its overdue list was wrong while the alarm service
 * looked at the system clock.
 */
class IngestRulesClockTest {
    /** Simulated time far from the wall clock, so a system-clock service would disagree at once. */
    private static final Instant RAISED = Instant.parse("2031-03-05T18:00:00Z");

    @Test
    void inMemoryAlarmBecomesOverdueExactlyAtItsDeadlineOnTheInjectedClock() {
        TestClock clock = new TestClock(RAISED);
        try (IngestRules rules = IngestRules.inMemory(AlarmSink.none(), clock)) {
            assertOverdueExactlyAtDeadline(rules.alarms(), clock);
        }
    }

    @Test
    void storeAlarmBecomesOverdueExactlyAtItsDeadlineOnTheInjectedClock(@TempDir Path dir) {
        TestClock clock = new TestClock(RAISED);
        String url = "jdbc:sqlite:" + dir.resolve("clock.db");
        try (IngestRules rules = IngestRules.forStore(url, AlarmSink.none(), clock)) {
            assertOverdueExactlyAtDeadline(rules.alarms(), clock);
        }
    }

    private static void assertOverdueExactlyAtDeadline(AlarmService alarms, TestClock clock) {
        // A gas leak: handled within 6 h of the raise (acknowledge), repaired within 24 h (resolve).
        Alarm leak = alarms.raise(AlarmKind.GAS_DETECTOR, "30000000000001", "meter reports GAS_DETECTOR",
                OptionalLong.empty(), RAISED);
        Instant ackBy = RAISED.plus(Duration.ofHours(6));
        assertThat(leak.acknowledgeBy()).contains(ackBy);
        assertThat(alarms.overdue()).isEmpty();

        clock.set(ackBy.minusMillis(1));
        assertThat(alarms.overdue()).isEmpty();
        clock.set(ackBy); // "within 6 h": handling it at the deadline itself is in time
        assertThat(alarms.overdue()).isEmpty();
        clock.set(ackBy.plusMillis(1));
        assertThat(alarms.overdue()).singleElement().satisfies(o -> {
            assertThat(o.alarm().id()).isEqualTo(leak.id());
            assertThat(o.missed()).isEqualTo("not acknowledged by " + ackBy);
        });

        // Acknowledged on the simulated clock, then the resolve deadline, to the millisecond.
        Alarm acknowledged = alarms.acknowledge(leak.id(), "crew-3");
        assertThat(acknowledged.acknowledgedAt()).contains(ackBy.plusMillis(1));
        assertThat(alarms.overdue()).isEmpty();
        Instant resolveBy = RAISED.plus(Duration.ofHours(24));
        clock.set(resolveBy);
        assertThat(alarms.overdue()).isEmpty();
        clock.set(resolveBy.plusMillis(1));
        assertThat(alarms.overdue()).extracting(AlarmService.Overdue::missed)
                .containsExactly("not resolved by " + resolveBy);
    }
}
