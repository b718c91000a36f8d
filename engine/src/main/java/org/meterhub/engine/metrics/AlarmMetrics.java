package org.meterhub.engine.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.AlarmState;

/**
 * Alarms by kind: raised (a counter, from what is published) and open / overdue (gauges, asked of the process's
 * alarm lifecycle at each scrape, so they agree with {@code alarms list} and {@code alarms overdue}). The label is
 * the alarm kind, never the subject (a meter or district id).
 */
public final class AlarmMetrics {
    private AlarmMetrics() {
    }

    public static final Counter RAISED = Counter.builder()
            .name("meterhub_alarms_raised")
            .help("Alarms raised by this process, by kind")
            .labelNames("kind")
            .register();

    private static volatile Supplier<AlarmService> source = () -> null;

    static {
        for (AlarmKind k : AlarmKind.values()) RAISED.labelValues(k.name());
        GaugeWithCallback.builder()
                .name("meterhub_alarms_open")
                .help("Alarms not yet resolved, by kind (from the store at scrape time)")
                .labelNames("kind")
                .callback(cb -> count(false).forEach((k, n) -> cb.call(n, k.name())))
                .register();
        GaugeWithCallback.builder()
                .name("meterhub_alarms_overdue")
                .help("Open alarms past their acknowledge or resolve deadline, by kind (from the store at scrape time)")
                .labelNames("kind")
                .callback(cb -> count(true).forEach((k, n) -> cb.call(n, k.name())))
                .register();
    }

    /** The alarm lifecycle whose open and overdue alarms the gauges show (the last one given wins: one per process). */
    public static void watch(AlarmService alarms) {
        source = () -> alarms;
    }

    /**
     * A sink that counts each alarm the first time it is published as raised, then hands it on. Escalations publish
     * the same alarm again, still RAISED: ids come from one sequence, so only an id above the highest counted is new.
     */
    public static AlarmSink counting(AlarmSink next) {
        AtomicLong highest = new AtomicLong();
        return alarm -> {
            if (alarm.state() == AlarmState.RAISED && highest.getAndAccumulate(alarm.id(), Math::max) < alarm.id()) {
                RAISED.labelValues(alarm.kind().name()).inc();
            }
            next.published(alarm);
        };
    }

    private static Map<AlarmKind, Long> count(boolean overdueOnly) {
        Map<AlarmKind, Long> n = new EnumMap<>(AlarmKind.class);
        AlarmService alarms = source.get();
        if (alarms == null) return n;
        for (AlarmKind k : AlarmKind.values()) n.put(k, 0L);
        try {
            if (overdueOnly) {
                for (AlarmService.Overdue o : alarms.overdue()) n.merge(o.alarm().kind(), 1L, Long::sum);
            } else {
                for (Alarm a : alarms.open()) n.merge(a.kind(), 1L, Long::sum);
            }
        } catch (RuntimeException e) {
            return Map.of(); // the store is away: no value rather than a wrong 0 (and the rest of the scrape still answers)
        }
        return n;
    }
}
