package org.meterhub.engine.leak;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.vee.MeterClass;

/**
 * When a leak alarm closes a valve: gas meters with a valve, for the alarm kinds the utility
 * lists (default: gas detector, burst and continuous flow — "a burst or sustained abnormal flow";
 * never night flow or a floor rise alone, since gas boilers and water heaters run at night; the rule
 * "alarm → emergency plan → close the valve"). Water leaks are reported, not shut off, by default: a closed water valve is a
 * health risk a person should decide.
 */
public record ValvePolicy(boolean enabled, Set<AlarmKind> closeOn) {
    public ValvePolicy {
        Objects.requireNonNull(closeOn, "closeOn");
        closeOn = Set.copyOf(closeOn);
    }

    public static ValvePolicy defaults() {
        return new ValvePolicy(true, EnumSet.of(AlarmKind.GAS_DETECTOR, AlarmKind.BURST, AlarmKind.CONTINUOUS_FLOW));
    }

    /** The reason to close, or null to leave the valve alone; the reason is recorded either way. */
    public Verdict decide(AlarmKind kind, MeterClass meterClass) {
        if (!enabled) return new Verdict(false, "valve policy disabled");
        if (!meterClass.valveEquipped()) return new Verdict(false, "meter class " + meterClass.name() + " has no valve");
        if (meterClass.medium() != Medium.GAS) return new Verdict(false, meterClass.medium() + " valves are closed by staff");
        if (!closeOn.contains(kind)) return new Verdict(false, kind + " is not a close-valve alarm");
        return new Verdict(true, kind + " on a gas meter with a valve: close per emergency plan");
    }

    public record Verdict(boolean close, String reason) {
    }
}
