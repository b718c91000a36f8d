package org.meterhub.app.forward;

import java.util.OptionalLong;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.intake.GatewayAlarm;
import org.meterhub.engine.intake.GatewayAlarmStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine end of a forwarding gateway's alarms: each becomes an engine alarm (stored, listed, acknowledged and
 * resolved like the single box's), its detail naming the gateway. A repeat while the alarm is open changes nothing
 * ({@link AlarmService#raise}), so a resend whose acknowledgement was lost doubles nothing.
 */
final class StoredGatewayAlarms implements GatewayAlarmStore {
    private static final Logger log = LoggerFactory.getLogger(StoredGatewayAlarms.class);

    private final AlarmService alarms;

    StoredGatewayAlarms(AlarmService alarms) {
        this.alarms = alarms;
    }

    @Override
    public void store(GatewayAlarm a) {
        AlarmKind kind;
        try {
            kind = AlarmKind.valueOf(a.kind());
        } catch (IllegalArgumentException e) {
            // A newer gateway's kind: acknowledged (resending would not help) and logged, not stored.
            log.warn("gateway {} sent an alarm of a kind this engine does not know ({}); not stored", a.gatewayId(), a.kind());
            return;
        }
        alarms.raise(kind, a.subject(), "gateway " + a.gatewayId() + ": " + a.detail(), OptionalLong.empty(), a.at());
    }
}
