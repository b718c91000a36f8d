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

    /**
     * One step of a leak episode: a start raises an alarm (or, when one of that kind is still open for the
     * meter — the engine restarted mid-leak — escalates it), an update escalates the open alarm with the
     * severity, duration and volume lost so far, an end resolves it with the total volume lost. Updates
     * and ends for an alarm someone already resolved are dropped (they decided). Returns the alarm touched.
     */
    public Optional<Alarm> onEvent(String meterId, MeterClass mc, LeakDetector.Event e) {
        AlarmKind ak = alarmKind(e.kind());
        Instant at = Instant.ofEpochMilli(e.atMs());
        String detail = e.kind() + " on " + mc.name() + ", severity " + e.severity() + ": about " + litres(e.rateMlph())
                + " L/h since " + Instant.ofEpochMilli(e.sinceMs()) + ", " + e.lostL() + " L lost so far; " + e.evidence();
        Optional<Alarm> open = alarms.openOf(meterId, ak);
        return switch (e.phase()) {
            case START -> open.isPresent()
                    ? Optional.of(alarms.escalate(open.get().id(), detail, OptionalLong.of(e.lostL()), at,
                            "detected again (episode continues): " + e.evidence()))
                    : Optional.of(respond(meterId, mc, ak, detail, OptionalLong.of(e.lostL()), at));
            case UPDATE -> open.map(a -> alarms.escalate(a.id(), detail, OptionalLong.of(e.lostL()), at,
                    "escalated: severity " + e.severity() + ", " + (e.atMs() - e.sinceMs()) / 3_600_000L + " h, "
                            + e.lostL() + " L lost so far"));
            case END -> open.map(a -> alarms.ended(a.id(), e.kind() + " on " + mc.name() + " ended at " + at + " after "
                    + (e.atMs() - e.sinceMs()) / 3_600_000L + " h: " + e.lostL() + " L lost in total; " + e.evidence(),
                    OptionalLong.of(e.lostL()), at, "flow ended at " + at + "; " + e.lostL() + " L lost in total"));
        };
    }

    public static AlarmKind alarmKind(LeakKind kind) {
        return switch (kind) {
            case CONTINUOUS_FLOW -> AlarmKind.CONTINUOUS_FLOW;
            case NIGHT_FLOW -> AlarmKind.NIGHT_FLOW;
            case FLOOR_RISE, HOUR_FLOOR -> AlarmKind.FLOOR_RISE; // the floor under the household's hours rose
            case BURST -> AlarmKind.BURST;
        };
    }

    private static String litres(long mlph) {
        return java.math.BigDecimal.valueOf(mlph, 3).stripTrailingZeros().toPlainString();
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
