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
public final class DtuRefusalAlarms implements Consumer<DtuServer.Refusal> {
    /** Where the alarm goes: the engine's alarm service in one process, the forwarding link toward the engines' otherwise. */
    @FunctionalInterface
    public interface Raise {
        void raise(AlarmKind kind, String subject, String detail, Instant at);
    }

    private final Raise alarms;
    private final Duration quiet;
    /** Keyed by configured DTU ids only (unknown ids are refused before this), so bounded by the configuration. */
    private final Map<String, Instant> lastRaised = new ConcurrentHashMap<>();

    DtuRefusalAlarms(AlarmService alarms, Duration quiet) {
        this((kind, subject, detail, at) -> alarms.raise(kind, subject, detail, OptionalLong.empty(), at), quiet);
    }

    public DtuRefusalAlarms(Raise alarms, Duration quiet) {
        this.alarms = alarms;
        this.quiet = quiet;
    }

    @Override
    public void accept(DtuServer.Refusal r) {
        Instant last = lastRaised.get(r.dtuId());
        if (last != null && r.at().isBefore(last.plus(quiet))) return;
        lastRaised.put(r.dtuId(), r.at());
        alarms.raise(AlarmKind.TAMPER, r.dtuId(), "DTU registration from " + r.from() + " refused: " + r.reason(), r.at());
    }
}
