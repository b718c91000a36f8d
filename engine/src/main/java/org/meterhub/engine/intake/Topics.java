package org.meterhub.engine.intake;

/**
 * The MQTT topic layout of the gateway-to-engine link (QoS 1 everywhere):
 * <ul>
 *   <li>{@code {prefix}/v1/readings/{partition}}: gateway to engine, one {@link ReadingBatch} a message;
 *       the owner of the partition subscribes to it</li>
 *   <li>{@code {prefix}/v1/acks/{gateway}}: engine to gateway, one {@link BatchAck} a message (or a
 *       {@link BatchNack}, or an {@link AlarmAck})</li>
 *   <li>{@code {prefix}/v1/alarms}: gateway to engines, one {@link GatewayAlarm} a message; the engines share one
 *       subscription ({@link #alarmSubscription()}), so one of them stores it</li>
 *   <li>{@code {prefix}/v1/status/{gateway}}: gateway to engines, its status every 10 s (JSON, not retained)</li>
 * </ul>
 * The version in the topic is the wire format's, so a version 2 can run beside version 1.
 */
public record Topics(String prefix) {
    public Topics {
        if (prefix == null || prefix.isEmpty() || prefix.contains("+") || prefix.contains("#") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("topic prefix: expected a topic without wildcards or trailing /, got \""
                    + prefix + "\"");
        }
    }

    public static Topics defaults() {
        return new Topics("meterhub");
    }

    public String readings(int partition) {
        return prefix + "/v1/readings/" + partition;
    }

    public String acks(String gatewayId) {
        return prefix + "/v1/acks/" + gatewayId;
    }

    /** Engines announce here which partitions they take now ({@link EngineReady}); every gateway listens. */
    public String ready() {
        return prefix + "/v1/ready";
    }

    /** A gateway's periodic status (engine.gateways.GatewayStatusCodec), every engine that stores it listens. */
    public String status(String gatewayId) {
        return prefix + "/v1/status/" + gatewayId;
    }

    /** Every gateway's status topic. */
    public String statusOfAll() {
        return prefix + "/v1/status/+";
    }

    /** Gateways' alarms for the engines' store ({@link GatewayAlarm}). */
    public String alarms() {
        return prefix + "/v1/alarms";
    }

    /** The engines' shared subscription to {@link #alarms()}: each alarm goes to one engine, whichever holds what. */
    public String alarmSubscription() {
        return "$share/meterhub-engines/" + alarms();
    }

    /** Gateway ids become a topic level: letters, digits, '_', '-' and '.', up to 64. */
    public static String checkGatewayId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("gateway id: expected 1-64 letters, digits, '_', '-' or '.', got "
                    + (id == null ? "nothing" : "\"" + id + "\""));
        }
        return id;
    }
}
