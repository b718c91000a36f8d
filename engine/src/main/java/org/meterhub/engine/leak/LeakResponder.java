package org.meterhub.engine.leak;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.vee.MeterClass;

/**
 * Turns leak detections and meter-reported events into alarms, and applies the valve policy:
 * the decision is recorded before the command goes out, the meter's answer after it.
 */
public final class LeakResponder {

    /** Events meters report themselves. */
    public enum MeterEvent {
        GAS_DETECTOR(AlarmKind.GAS_DETECTOR), TAMPER(AlarmKind.TAMPER), VALVE_FAULT(AlarmKind.VALVE_FAULT);

        private final AlarmKind kind;

        MeterEvent(AlarmKind kind) {
            this.kind = kind;
        }

        public AlarmKind kind() {
            return kind;
        }
    }

    private final AlarmService alarms;
    private final ValvePolicy policy;
    private final ValveCommander commander;
    private final ValveDecisionLog log;
    private final Clock clock;

    public LeakResponder(AlarmService alarms, ValvePolicy policy, ValveCommander commander, ValveDecisionLog log,
                         Clock clock) {
        this.alarms = Objects.requireNonNull(alarms, "alarms");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.commander = Objects.requireNonNull(commander, "commander");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Alarm onDetection(String meterId, MeterClass mc, LeakKind kind, Instant at, Instant since, long rateLph) {
        AlarmKind ak = switch (kind) {
            case CONTINUOUS_FLOW -> AlarmKind.CONTINUOUS_FLOW;
            case NIGHT_FLOW -> AlarmKind.NIGHT_FLOW;
            case BURST -> AlarmKind.BURST;
        };
        String detail = kind + " since " + since + ": " + rateLph + " L/h on " + mc.name();
        long lostL = rateLph * Math.max(0, at.toEpochMilli() - since.toEpochMilli()) / 3_600_000L;
        return respond(meterId, mc, ak, detail, OptionalLong.of(lostL), at);
    }

    public Alarm onMeterEvent(String meterId, MeterClass mc, MeterEvent event, Instant at) {
        return respond(meterId, mc, event.kind(), "meter reports " + event, OptionalLong.empty(), at);
    }

    private Alarm respond(String meterId, MeterClass mc, AlarmKind kind, String detail, OptionalLong lost, Instant at) {
        Alarm alarm = alarms.raise(kind, meterId, detail, lost, at);
        if (alarm.state() != AlarmState.RAISED || !log.forAlarm(alarm.id()).isEmpty()) return alarm; // decided already
        ValvePolicy.Verdict v = policy.decide(kind, mc);
        log.record(new ValveDecision(alarm.id(), meterId, v.close(), v.reason(), clock.instant(), Optional.empty(),
                Optional.empty()));
        if (v.close()) {
            commander.close(meterId, kind.name()).whenComplete((outcome, error) -> log.record(new ValveDecision(
                    alarm.id(), meterId, true, error == null ? "meter answered" : "command failed: " + error.getMessage(),
                    clock.instant(), Optional.of(error == null ? outcome : ValveCommander.ValveOutcome.NO_ANSWER),
                    Optional.of(clock.instant()))));
        }
        return alarm;
    }
}
