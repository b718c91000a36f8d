package org.meterhub.engine.leak;

import java.util.ArrayList;
import java.util.List;

/** {@link ValveDecisionLog} in memory. */
public final class InMemoryValveDecisionLog implements ValveDecisionLog {
    private final List<ValveDecision> decisions = new ArrayList<>();

    @Override
    public synchronized void record(ValveDecision d) {
        decisions.add(d);
    }

    @Override
    public synchronized List<ValveDecision> forAlarm(long alarmId) {
        return decisions.stream().filter(d -> d.alarmId() == alarmId).toList();
    }
}
