package org.meterhub.engine.intake;

/** "Your alarm {@code alarmId} is stored": the gateway stops resending it. */
public record AlarmAck(String gatewayId, String alarmId) {
    public AlarmAck {
        Topics.checkGatewayId(gatewayId);
        if (alarmId == null || alarmId.isEmpty()) throw new IllegalArgumentException("alarm id: expected a string");
    }
}
