package org.meterhub.engine.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.meter.Medium;

class AlarmServiceTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");

    private final TestClock clock = new TestClock(T0);
    private final InMemoryAlarmRepository repo = new InMemoryAlarmRepository(
            s -> s.startsWith("h") ? Optional.of(Medium.HEAT) : s.startsWith("w") ? Optional.of(Medium.WATER) : Optional.empty());
    private final List<Alarm> published = new ArrayList<>();
    private final AlarmService service = new AlarmService(repo, AlarmDeadlines.defaults(), published::add, clock);

    @Test
    void lifecycleRaisedAcknowledgedResolvedIsKeptAndPublished() {
        Alarm a = service.raise(AlarmKind.GAS_DETECTOR, "30000000000001", "meter reports GAS_DETECTOR",
                OptionalLong.empty(), T0);
        assertThat(a.rule()).isEqualTo("gas/leak");
        assertThat(a.acknowledgeBy()).contains(T0.plus(Duration.ofHours(6)));
        assertThat(a.resolveBy()).contains(T0.plus(Duration.ofHours(24)));
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
    void aLateMeasurementIsDueFromWhenItArrivesNotWhenItWasMeasured() {
        Instant measured = T0.minus(Duration.ofDays(7));
        Alarm a = service.raise(AlarmKind.NETWORK_IMBALANCE, "district:D1", "last week beyond uncertainty",
                OptionalLong.of(5_000), measured);
        assertThat(a.observedAt()).isEqualTo(measured);
        assertThat(a.raisedAt()).isEqualTo(T0);
        assertThat(a.resolveBy()).contains(T0.plus(Duration.ofHours(24)));
        assertThat(service.overdue()).isEmpty();
        clock.set(T0.plus(Duration.ofHours(6)).plusSeconds(1));
        assertThat(service.overdue()).extracting(AlarmService.Overdue::missed)
                .containsExactly("not acknowledged by " + T0.plus(Duration.ofHours(6)));
    }

    @Test
    void deadlinesFollowTheKindAndTheMedium() {
        Alarm tamper = service.raise(AlarmKind.TAMPER, "g1", "case opened", OptionalLong.empty(), T0);
        Alarm battery = service.raise(AlarmKind.LOW_BATTERY, "g1", "3.1 V", OptionalLong.empty(), T0);
        assertThat(tamper.due()).isEmpty();
        assertThat(battery.due()).isEmpty();
        assertThat(tamper.rule()).isEqualTo("none");

        Alarm heatLeak = service.raise(AlarmKind.CONTINUOUS_FLOW, "h1", "flow for 6 h", OptionalLong.empty(), T0);
        assertThat(heatLeak.rule()).isEqualTo("heat/leak");
        assertThat(heatLeak.due()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Milestone.ON_SITE, T0.plus(Duration.ofMinutes(30)), Milestone.RESOLVE, T0.plus(Duration.ofHours(24)),
                Milestone.FOLLOW_UP, T0.plus(Duration.ofHours(48))));
        Alarm heatFault = service.raise(AlarmKind.VALVE_FAULT, "h2", "valve stuck", OptionalLong.empty(), T0);
        assertThat(heatFault.rule()).isEqualTo("heat/repair");
        assertThat(heatFault.due()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Milestone.ACKNOWLEDGE, T0.plus(Duration.ofMinutes(30)), Milestone.ON_SITE, T0.plus(Duration.ofHours(2)),
                Milestone.RESOLVE, T0.plus(Duration.ofHours(24)), Milestone.FOLLOW_UP, T0.plus(Duration.ofHours(48))));
        assertThat(service.raise(AlarmKind.BURST, "w1", "burst", OptionalLong.empty(), T0).due()).isEmpty();

        clock.set(T0.plus(Duration.ofMinutes(31)));
        assertThat(service.overdue()).extracting(o -> o.alarm().id() + " " + o.missed()).containsExactly(
                heatLeak.id() + " not on site by " + T0.plus(Duration.ofMinutes(30)),
                heatFault.id() + " not acknowledged by " + T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void resolvingAnUnacknowledgedAlarmRecordsBothStepsByTheSamePerson() {
        Alarm a = service.raise(AlarmKind.VALVE_FAULT, "g2", "valve fault", OptionalLong.empty(), T0);
        clock.set(T0.plus(Duration.ofHours(3)));
        Alarm done = service.resolve(a.id(), "crew-2", "actuator replaced");
        assertThat(done.acknowledgedAt()).contains(T0.plus(Duration.ofHours(3)));
        assertThat(done.acknowledgedBy()).contains("crew-2");
        assertThat(repo.history(a.id())).extracting(s -> s.state() + " " + s.milestone().map(Milestone::label).orElse("-")
                + " " + s.actor() + " " + s.note()).containsExactly(
                "RAISED - engine ", "ACKNOWLEDGED acknowledge crew-2 acknowledged on resolving",
                "RESOLVED resolve crew-2 actuator replaced");
    }

    @Test
    void eachClosedAlarmRecordsWhetherEachDeadlineWasMet() {
        Alarm met = service.raise(AlarmKind.VALVE_FAULT, "g1", "valve fault", OptionalLong.empty(), T0);
        Alarm missed = service.raise(AlarmKind.METER_FAULT, "g2", "stopped registering", OptionalLong.empty(), T0);
        clock.set(T0.plus(Duration.ofHours(1)));
        service.acknowledge(met.id(), "crew-1");
        clock.set(T0.plus(Duration.ofHours(5)));
        met = service.resolve(met.id(), "crew-1", "fixed");
        clock.set(T0.plus(Duration.ofHours(7)));
        service.acknowledge(missed.id(), "crew-2");
        clock.set(T0.plus(Duration.ofHours(30)));
        missed = service.resolve(missed.id(), "crew-2", "meter replaced");
        assertThat(met.met(Milestone.ACKNOWLEDGE)).contains(true);
        assertThat(met.met(Milestone.RESOLVE)).contains(true);
        assertThat(missed.met(Milestone.ACKNOWLEDGE)).contains(false);
        assertThat(missed.met(Milestone.RESOLVE)).contains(false);
        assertThat(met.met(Milestone.ON_SITE)).isEmpty();

        List<DeadlineShare> report = service.report(YearMonth.of(2026, 11), ZoneId.of("Asia/Shanghai"));
        assertThat(report).extracting(s -> s.kind() + " " + s.rule() + " " + s.milestone().label() + " " + s.met() + "/" + s.applied())
                .containsExactly("METER_FAULT gas/repair acknowledge 0/1", "METER_FAULT gas/repair resolve 0/1",
                        "VALVE_FAULT gas/repair acknowledge 1/1", "VALVE_FAULT gas/repair resolve 1/1");
        assertThat(service.report(YearMonth.of(2026, 12), ZoneId.of("Asia/Shanghai"))).isEmpty();
    }

    @Test
    void heatFollowUpComesAfterTheResolutionAndIsJudgedWhenRecorded() {
        long id = service.raise(AlarmKind.VALVE_FAULT, "h1", "valve stuck", OptionalLong.empty(), T0).id();
        clock.set(T0.plus(Duration.ofMinutes(90)));
        Alarm a = service.onSite(id, "crew-4");
        assertThat(repo.history(a.id())).extracting(AlarmStep::milestone)
                .containsExactly(Optional.empty(), Optional.of(Milestone.ACKNOWLEDGE), Optional.of(Milestone.ON_SITE));
        assertThatThrownBy(() -> service.followUp(a.id(), "desk", "called")).isInstanceOf(IllegalStateException.class);
        clock.set(T0.plus(Duration.ofHours(20)));
        Alarm resolved = service.resolve(a.id(), "crew-4", "valve freed");
        assertThat(resolved.met(Milestone.ACKNOWLEDGE)).contains(false); // contact within 30 min: acknowledged at 90 min
        assertThat(resolved.met(Milestone.ON_SITE)).contains(true);
        assertThat(resolved.met(Milestone.FOLLOW_UP)).isEmpty();
        clock.set(T0.plus(Duration.ofHours(49)));
        assertThat(service.overdue()).isEmpty(); // resolved alarms are not on the open list
        Alarm followed = service.followUp(a.id(), "desk-1", "customer satisfied");
        assertThat(followed.met(Milestone.FOLLOW_UP)).contains(false);
        assertThat(followed.state()).isEqualTo(AlarmState.RESOLVED);
    }

    @Test
    void deadlinesAreDurationsOnInstantsWhateverTheLocalClockDoes() {
        // 00:30 UTC on 25 October 2026 is 02:30 CEST in Berlin, half an hour before the clocks go back
        Instant beforeTheChange = Instant.parse("2026-10-25T00:30:00Z");
        clock.set(beforeTheChange);
        Alarm a = service.raise(AlarmKind.VALVE_FAULT, "g9", "valve fault", OptionalLong.empty(), beforeTheChange);
        assertThat(Duration.between(a.raisedAt(), a.acknowledgeBy().orElseThrow())).isEqualTo(Duration.ofHours(6));
        assertThat(Duration.between(a.raisedAt(), a.resolveBy().orElseThrow())).isEqualTo(Duration.ofHours(24));
        // on the Berlin wall clock the 24 h end at 01:30, not 02:30: a day of 25 hours
        assertThat(a.resolveBy().orElseThrow().atZone(ZoneId.of("Europe/Berlin")).toLocalTime())
                .isEqualTo(java.time.LocalTime.of(1, 30));
    }

    @Test
    void repeatedDetectionReturnsTheOpenAlarm() {
        Alarm a = service.raise(AlarmKind.BURST, "m", "d", OptionalLong.of(500), T0);
        Alarm b = service.raise(AlarmKind.BURST, "m", "d again", OptionalLong.of(900), T0.plusSeconds(60));
        assertThat(b.id()).isEqualTo(a.id());
        assertThat(service.raise(AlarmKind.CONTINUOUS_FLOW, "m", "d", OptionalLong.empty(), T0).id()).isNotEqualTo(a.id());
    }
}
