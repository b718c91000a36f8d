package org.meterhub.gateway.forward;

import java.time.Duration;
import java.util.Objects;
import org.meterhub.engine.intake.Topics;

/**
 * @param gatewayId  names this gateway in batches and its acknowledgement topic; stable across restarts
 * @param batchSize  most readings per batch
 * @param ackTimeout a batch not acknowledged within this is sent again; the wait doubles per attempt up to {@code maxBackoff}
 * @param maxBackoff longest wait between attempts (resends and reconnects)
 */
public record ForwarderSettings(String gatewayId, int batchSize, Duration ackTimeout, Duration maxBackoff) {
    public ForwarderSettings {
        Topics.checkGatewayId(gatewayId);
        if (batchSize < 1 || batchSize > org.meterhub.engine.intake.WireFormat.MAX_READINGS) {
            throw new IllegalArgumentException("batch-size: expected 1 to "
                    + org.meterhub.engine.intake.WireFormat.MAX_READINGS + ", got " + batchSize);
        }
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (ackTimeout.isNegative() || ackTimeout.isZero()) throw new IllegalArgumentException("ack-timeout must be positive");
        if (maxBackoff.compareTo(ackTimeout) < 0) throw new IllegalArgumentException("max-backoff must be >= ack-timeout");
    }

    public static ForwarderSettings defaults(String gatewayId) {
        return new ForwarderSettings(gatewayId, 500, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }
}
