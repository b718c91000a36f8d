package org.meterhub.engine.intake;

/**
 * Where an engine puts the alarms gateways send it ({@link GatewayAlarm}), e.g. the engine's
 * {@code AlarmService}. Throws when the alarm could not be stored: no acknowledgement goes out,
 * and the gateway sends it again.
 */
@FunctionalInterface
public interface GatewayAlarmStore {
    void store(GatewayAlarm alarm);
}
