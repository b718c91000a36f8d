package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;
import org.meterhub.engine.vee.MeterClass;

class LeakResponseTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");
    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);

    @Test
    void networkBalanceAlarmsAfterThreeDaysBeyondUncertaintyWithVolumeLost() {
        NetworkBalance nb = NetworkBalance.defaults();
        BigDecimal cls = new BigDecimal("1.5");
        List<NetworkBalance.MeterVolume> customers = Collections.nCopies(100, new NetworkBalance.MeterVolume(1_000, cls));
        // 100 customers x 1000 L; supply 104 000 L: imbalance 4000 L
        // uncertainty: sqrt(1560^2 + 100 * 15^2) = sqrt(2 456 100) = 1567.2 -> 1568 L
        LocalDate day = LocalDate.of(2026, 11, 20);
        NetworkBalance.DistrictDay d1 = new NetworkBalance.DistrictDay("D7", day,
                new NetworkBalance.MeterVolume(104_000, cls), customers);
        NetworkBalance.DayBalance b = nb.balance(d1);
        assertThat(b.imbalanceL()).isEqualTo(4_000);
        assertThat(b.uncertaintyL()).isEqualTo(1_568);
        assertThat(nb.accept(d1)).isEmpty();
        assertThat(nb.accept(new NetworkBalance.DistrictDay("D7", day.plusDays(1),
                new NetworkBalance.MeterVolume(103_000, cls), customers))).isEmpty();
        Optional<NetworkBalance.Finding> f = nb.accept(new NetworkBalance.DistrictDay("D7", day.plusDays(2),
                new NetworkBalance.MeterVolume(105_000, cls), customers));
        assertThat(f).get().satisfies(x -> {
            assertThat(x.volumeLostL()).isEqualTo(12_000);
            assertThat(x.days()).isEqualTo(3);
            assertThat(x.reason()).contains("12000 L").contains("leak or theft");
        });
        // within uncertainty: no alarm, streak broken
        assertThat(nb.accept(new NetworkBalance.DistrictDay("D8", day, new NetworkBalance.MeterVolume(101_500, cls), customers)))
                .isEmpty();
        assertThat(nb.balance(new NetworkBalance.DistrictDay("D8", day, new NetworkBalance.MeterVolume(101_500, cls),
                customers)).exceeds()).isFalse();
        NetworkBalance linear = new NetworkBalance(3, NetworkBalance.Combination.LINEAR);
        assertThat(linear.balance(d1).uncertaintyL()).isEqualTo(1_560 + 1_500);
    }

    @Test
    void valvePolicyClosesGasValveAndRecordsDecisionAndOutcome() {
        InMemoryValveDecisionLog log = new InMemoryValveDecisionLog();
        List<String> commands = new ArrayList<>();
        ValveCommander commander = (meter, reason) -> {
            commands.add(meter + ":" + reason);
            return CompletableFuture.completedFuture(ValveCommander.ValveOutcome.CLOSED);
        };
        AlarmService alarms = new AlarmService(new InMemoryAlarmRepository(), AlarmDeadlines.defaults(), AlarmSink.none(), clock);
        LeakResponder r = new LeakResponder(alarms, ValvePolicy.defaults(), commander, log, clock);
        Alarm a = r.onMeterEvent("g1", MeterClass.householdGas(), LeakResponder.MeterEvent.GAS_DETECTOR, T0);
        assertThat(a.kind()).isEqualTo(AlarmKind.GAS_DETECTOR);
        assertThat(commands).containsExactly("g1:GAS_DETECTOR");
        assertThat(log.forAlarm(a.id())).hasSize(2).satisfies(l -> {
            assertThat(l.get(0).close()).isTrue();
            assertThat(l.get(0).outcome()).isEmpty();
            assertThat(l.get(1).outcome()).contains(ValveCommander.ValveOutcome.CLOSED);
        });
        // the same alarm again: no second command
        r.onMeterEvent("g1", MeterClass.householdGas(), LeakResponder.MeterEvent.GAS_DETECTOR, T0.plusSeconds(5));
        assertThat(commands).hasSize(1);
        // water continuous flow: alarm, decision recorded, valve left alone
        Alarm w = r.onEvent("w1", MeterClass.householdWater(), new LeakDetector.Event(LeakDetector.Phase.START,
                LeakKind.CONTINUOUS_FLOW, T0.toEpochMilli(), T0.minusSeconds(86_400).toEpochMilli(), 50_000, 1_200, 1,
                "test")).orElseThrow();
        assertThat(w.volumeLostL()).hasValue(1_200);
        assertThat(log.forAlarm(w.id())).singleElement().satisfies(dec -> {
            assertThat(dec.close()).isFalse();
            assertThat(dec.reason()).contains("no valve");
        });
        assertThat(commands).hasSize(1);
    }
}
