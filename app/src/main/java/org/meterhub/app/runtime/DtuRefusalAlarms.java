package org.meterhub.app.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.gateway.dtu.DtuServer;

/**
 * Turns refused DTU registrations (a connected id claimed without proof, a wrong secret) into a
 * TAMPER alarm on the DTU. The refusals arrive on a network event loop and an intruder can dial
 * as often as it likes, so each DTU raises at most once per {@code quiet}: the store sees a
 * handful of writes, the dial-in server's counters see every attempt.
 */
final class DtuRefusalAlarms implements Consumer<DtuServer.Refusal> {
    private final AlarmService alarms;
    private final Duration quiet;
    /** Keyed by configured DTU ids only (unknown ids are refused before this), so bounded by the configuration. */
    private final Map<String, Instant> lastRaised = new ConcurrentHashMap<>();

    DtuRefusalAlarms(AlarmService alarms, Duration quiet) {
        this.alarms = alarms;
        this.quiet = quiet;
    }

    @Override
    public void accept(DtuServer.Refusal r) {
        Instant last = lastRaised.get(r.dtuId());
        if (last != null && r.at().isBefore(last.plus(quiet))) return;
        lastRaised.put(r.dtuId(), r.at());
        alarms.raise(AlarmKind.TAMPER, r.dtuId(), "DTU registration from " + r.from() + " refused: " + r.reason(),
                OptionalLong.empty(), r.at());
    }
}
