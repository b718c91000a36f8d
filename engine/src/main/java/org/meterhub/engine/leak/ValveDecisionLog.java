package org.meterhub.engine.leak;

import java.util.List;

/** Where valve decisions and their outcomes are recorded (append-only). */
public interface ValveDecisionLog {
    void record(ValveDecision decision);

    List<ValveDecision> forAlarm(long alarmId);
}
