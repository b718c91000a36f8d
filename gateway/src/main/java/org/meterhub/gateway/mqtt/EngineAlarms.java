package org.meterhub.gateway.mqtt;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmRepository;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.prepaid.PrepaidAlarm;
import org.meterhub.engine.prepaid.PrepaidAlarmKind;
import org.meterhub.engine.prepaid.PrepaidListener;
import org.meterhub.engine.prepaid.WorkItem;

/**
 * Hands the gateway's alarm edges (meter alarms, command expiry/rejection) and the prepaid
 * ledger's edges to the engine's alarm lifecycle ({@link AlarmService}), so they are stored,
 * acknowledged, resolved and listed like every other engine alarm.
 *
 * <p>A raised edge raises an engine alarm (the service makes a repeat a no-op while one is open);
 * a cleared edge resolves it as {@value #BY}. The engine has fewer kinds than there are sources
 * (it has no prepaid kinds), so several sources may share one engine kind on a meter,
 * e.g. a rejected command and an overdraft both on {@code METER_FAULT}: the alarm is resolved
 * only when every source that held it open has cleared. Command alarms clear when a later command
 * to the meter is acknowledged ok (the meter takes commands again). The detail starts with the source ({@code mqtt leak},
 * {@code prepaid OVERDRAFT}), which also lets a clear arriving after a restart (the ledger's edges
 * survive restarts) find the alarm it belongs to.
 *
 * <p>Store failures propagate to the caller: the uplink is then not acknowledged and the broker
 * delivers it again. Synchronized: uplinks, command ticks and purchase imports call from
 * different threads.
 */
public final class EngineAlarms implements AlarmSink, PrepaidListener {
    /** Who resolves an alarm whose condition the meter or the ledger reported as over. */
    public static final String BY = "meterhub-gateway";

    private record Key(String meterId, org.meterhub.engine.alarm.AlarmKind kind) { }

    /** The engine alarm a key's sources hold open. */
    private static final class Held {
        final long alarmId;
        final Set<String> sources = new HashSet<>();

        Held(long alarmId) {
            this.alarmId = alarmId;
        }
    }

    private final AlarmService service;
    private final AlarmRepository alarms;
    private final PrepaidListener workItems;
    private final Map<Key, Held> held = new HashMap<>();

    /**
     * @param alarms    the repository the service stores in (to find a meter's open alarm on a clear)
     * @param workItems where the ledger's work items go (the engine has no work-item lifecycle to route them to yet)
     */
    public EngineAlarms(AlarmService service, AlarmRepository alarms, PrepaidListener workItems) {
        this.service = Objects.requireNonNull(service, "service");
        this.alarms = Objects.requireNonNull(alarms, "alarms");
        this.workItems = Objects.requireNonNull(workItems, "workItems");
    }

    /** The engine kind a gateway alarm becomes. */
    public static org.meterhub.engine.alarm.AlarmKind engineKind(AlarmKind k) {
        return switch (k) {
            case LEAK -> org.meterhub.engine.alarm.AlarmKind.GAS_LEAK_SUSPECTED;
            case TAMPER -> org.meterhub.engine.alarm.AlarmKind.TAMPER;
            case VALVE_FAULT -> org.meterhub.engine.alarm.AlarmKind.VALVE_FAULT;
            case LOW_BATTERY -> org.meterhub.engine.alarm.AlarmKind.LOW_BATTERY; // a notice: no fault deadlines
            case OVERDRAFT, COMMAND_EXPIRED, COMMAND_REJECTED -> org.meterhub.engine.alarm.AlarmKind.METER_FAULT;
            case LOW_BALANCE -> org.meterhub.engine.alarm.AlarmKind.DATA_QUALITY;
        };
    }

    /** The engine kind a prepaid ledger alarm becomes. */
    public static org.meterhub.engine.alarm.AlarmKind engineKind(PrepaidAlarmKind k) {
        return switch (k) {
            case OVERDRAFT -> org.meterhub.engine.alarm.AlarmKind.METER_FAULT;
            case LOW_BALANCE, BALANCE_MISMATCH -> org.meterhub.engine.alarm.AlarmKind.DATA_QUALITY;
        };
    }

    @Override
    public void accept(AlarmEvent e) {
        String source = "mqtt " + e.kind().wireName().orElse(e.kind().name());
        edge(e.meterId(), engineKind(e.kind()), source, e.raised(), e.time(), e.detail());
    }

    @Override
    public void alarm(PrepaidAlarm a) {
        edge(a.meterId(), engineKind(a.kind()), "prepaid " + a.kind(), a.raised(), a.time(), a.detail());
    }

    @Override
    public void workItem(WorkItem item) {
        workItems.workItem(item);
    }

    private synchronized void edge(String meter, org.meterhub.engine.alarm.AlarmKind kind, String source,
                                   boolean raised, Instant time, String detail) {
        Key key = new Key(meter, kind);
        if (raised) {
            Alarm a = service.raise(kind, meter, source + (detail.isEmpty() ? "" : ": " + detail), OptionalLong.empty(), time);
            Held h = held.get(key);
            if (h == null || h.alarmId != a.id()) { // first source, or the previous alarm was resolved meanwhile
                h = new Held(a.id());
                held.put(key, h);
            }
            h.sources.add(source);
            return;
        }
        Optional<Alarm> open = alarms.openOf(meter, kind);
        Held h = held.get(key);
        if (open.isEmpty()) { // resolved by a person already
            held.remove(key);
            return;
        }
        if (h == null || h.alarmId != open.get().id()) {
            // Raised before this process started: ours only if this source raised it.
            if (!open.get().detail().startsWith(source)) return;
        } else {
            h.sources.remove(source);
            if (!h.sources.isEmpty()) return;
        }
        held.remove(key);
        service.resolve(open.get().id(), BY, "cleared: " + source + (detail.isEmpty() ? "" : " (" + detail + ")"));
    }
}
