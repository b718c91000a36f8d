package org.meterhub.engine.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.TestClock;

class AlarmServiceTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");

    private final TestClock clock = new TestClock(T0);
    private final InMemoryAlarmRepository repo = new InMemoryAlarmRepository();
    private final List<Alarm> published = new ArrayList<>();
    private final AlarmService service = new AlarmService(repo, AlarmDeadlines.defaults(), published::add, clock);

    @Test
    void lifecycleRaisedAcknowledgedResolvedIsKeptAndPublished() {
        Alarm a = service.raise(AlarmKind.GAS_DETECTOR, "30000000000001", "meter reports GAS_DETECTOR",
                OptionalLong.empty(), T0);
        assertThat(a.acknowledgeBy()).contains(T0.plus(Duration.ofMinutes(30)));
        clock.set(T0.plus(Duration.ofMinutes(20)));
        service.acknowledge(a.id(), "crew-7");
        clock.set(T0.plus(Duration.ofHours(2)));
        Alarm done = service.resolve(a.id(), "crew-7", "valve closed, leak at connector fixed");
        assertThat(done.state()).isEqualTo(AlarmState.RESOLVED);
        assertThat(done.acknowledgedAt()).contains(T0.plus(Duration.ofMinutes(20)));
        assertThat(published).extracting(Alarm::state)
                .containsExactly(AlarmState.RAISED, AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED);
        assertThat(repo.history(a.id())).hasSize(3);
        assertThat(service.open()).isEmpty();
        assertThatThrownBy(() -> service.acknowledge(a.id(), "x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void repeatedDetectionReturnsTheOpenAlarm() {
        Alarm a = service.raise(AlarmKind.BURST, "m", "d", OptionalLong.of(500), T0);
        Alarm b = service.raise(AlarmKind.BURST, "m", "d again", OptionalLong.of(900), T0.plusSeconds(60));
        assertThat(b.id()).isEqualTo(a.id());
        assertThat(service.raise(AlarmKind.CONTINUOUS_FLOW, "m", "d", OptionalLong.empty(), T0).id()).isNotEqualTo(a.id());
    }

    @Test
    void overdueListsMissedDeadlinesPerCategory() {
        Alarm leak = service.raise(AlarmKind.NIGHT_FLOW, "g1", "night flow", OptionalLong.of(120), T0);
        Alarm fault = service.raise(AlarmKind.VALVE_FAULT, "g2", "valve fault", OptionalLong.empty(), T0);
        service.raise(AlarmKind.DATA_QUALITY, "g3", "spikes", OptionalLong.empty(), T0);
        clock.set(T0.plus(Duration.ofMinutes(31)));
        assertThat(service.overdue()).extracting(o -> o.alarm().id()).containsExactly(leak.id());
        service.acknowledge(leak.id(), "crew");
        clock.set(T0.plus(Duration.ofHours(7)));
        assertThat(service.overdue()).extracting(o -> o.alarm().id()).containsExactly(fault.id());
        clock.set(T0.plus(Duration.ofHours(25)));
        assertThat(service.overdue()).extracting(AlarmService.Overdue::missed)
                .allMatch(m -> m.startsWith("not resolved") || m.startsWith("not acknowledged")).hasSize(2);
    }
}
