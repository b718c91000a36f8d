package org.meterhub.gateway.journal;

import java.time.Instant;
import java.util.Objects;

/**
 * The identity of one MQTT uplink (protocols.md §3: meter + seq), recorded in the journal in the
 * same transaction as its readings, so a QoS 1 redelivery after a crash is recognised.
 *
 * @param digest  a hash of the message's content: the same seq with another digest is a conflict
 * @param payload the message as received (not copied, not compared), kept only when it turns out to be a conflict
 */
public record UplinkMark(String meterId, long seq, long digest, Instant receivedAt, byte[] payload) {
    public UplinkMark {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(payload, "payload");
    }
}
