package org.meterhub.gateway.mqtt;

/** Why an uplink was not accepted. Each reason has its own counter in {@link MqttCounters}. */
public enum RejectReason {
    /** Topic is not {@code <prefix>/<meter>/up} with a meter number of 1 to 20 digits. */
    BAD_TOPIC,
    /** Payload larger than the configured maximum. */
    TOO_LARGE,
    /** Not parseable JSON, trailing content, or a field given twice. */
    BAD_JSON,
    /** Valid JSON but not an object. */
    NOT_AN_OBJECT,
    MISSING_METER,
    MISSING_TS,
    MISSING_VOLUME,
    /** A known field with the wrong JSON type (e.g. {@code volume_m3} as a number). */
    WRONG_TYPE,
    /** Right type, unusable value: a bad timestamp, more than 3 decimals, {@code valve} not open/closed. */
    BAD_VALUE,
    /** The meter in the body is not the meter in the topic. */
    TOPIC_MISMATCH,
    /** An allow-list is configured and the meter is not on it. */
    UNKNOWN_METER,
    /** Outside what a household meter can show (register, balance, battery, sequence number). */
    ABSURD_VALUE,
    /** The per-gateway cap on tracked meters is reached; protects memory against a flood of ids. */
    TOO_MANY_METERS,
    /** A {@code history} entry older than max-backfill while the message's own clock is trusted (entries only). */
    TOO_OLD
}
