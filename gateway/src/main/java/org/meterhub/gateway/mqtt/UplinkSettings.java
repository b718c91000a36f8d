package org.meterhub.gateway.mqtt;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How uplinks are validated and ordered.
 *
 * @param topicPrefix     first topic level; the contract's is {@code meters} (tests use their own)
 * @param allowList       meters accepted; empty accepts any well-formed meter number
 * @param maxMeters       meters tracked at most (sequence state); protects memory without an allow-list
 * @param maxPayloadBytes larger messages are rejected unread
 * @param reorderWindow   how long a message that arrived after a gap in {@code seq} is held waiting for
 *                        the missing ones before the gap is counted as missed and it is handed on
 * @param maxHeldPerMeter messages held per meter at most while waiting; beyond it the gap is given up
 * @param maxClockSkew    a {@code ts} further than this ahead of the gateway's time is not trusted
 * @param maxBackfill     a {@code ts} up to this far in the past is trusted: meters keep readings while out of
 *                        coverage or asleep and send them later (protocols.md §3, default 7 days)
 * @param maxVolumeL      registers above this are absurd
 * @param maxAbsBalance   balances (m³ or CNY) beyond ± this are absurd
 * @param rejectLogInterval a meter's rejections are logged at most once per this interval
 */
public record UplinkSettings(String topicPrefix, Set<String> allowList, int maxMeters, int maxPayloadBytes,
                             Duration reorderWindow, int maxHeldPerMeter, Duration maxClockSkew, Duration maxBackfill,
                             long maxVolumeL, BigDecimal maxAbsBalance, Duration rejectLogInterval) {
    public UplinkSettings {
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        if (topicPrefix.isEmpty() || topicPrefix.contains("+") || topicPrefix.contains("#")
                || topicPrefix.startsWith("/") || topicPrefix.endsWith("/")) {
            throw new IllegalArgumentException("topic prefix must be non-empty, without wildcards or outer slashes");
        }
        allowList = Set.copyOf(allowList);
        if (maxMeters < 1) throw new IllegalArgumentException("max-meters must be positive");
        if (maxPayloadBytes < 64) throw new IllegalArgumentException("max-payload-bytes must be at least 64");
        if (reorderWindow.isNegative()) throw new IllegalArgumentException("reorder-window must not be negative");
        if (maxHeldPerMeter < 1) throw new IllegalArgumentException("max-held-per-meter must be positive");
        if (maxBackfill.isNegative()) throw new IllegalArgumentException("max-backfill must not be negative");
    }

    public static UplinkSettings defaults() {
        return new UplinkSettings("meters", Set.of(), 1_000_000, 8192, Duration.ofSeconds(2), 32,
                Duration.ofMinutes(10), Duration.ofDays(7), 10_000_000_000L, new BigDecimal("100000"), Duration.ofMinutes(1));
    }

    public UplinkSettings withTopicPrefix(String prefix) {
        return new UplinkSettings(prefix, allowList, maxMeters, maxPayloadBytes, reorderWindow, maxHeldPerMeter,
                maxClockSkew, maxBackfill, maxVolumeL, maxAbsBalance, rejectLogInterval);
    }

    public UplinkSettings withAllowList(Set<String> meters) {
        return new UplinkSettings(topicPrefix, meters, maxMeters, maxPayloadBytes, reorderWindow, maxHeldPerMeter,
                maxClockSkew, maxBackfill, maxVolumeL, maxAbsBalance, rejectLogInterval);
    }

    public UplinkSettings withReorderWindow(Duration window) {
        return new UplinkSettings(topicPrefix, allowList, maxMeters, maxPayloadBytes, window, maxHeldPerMeter,
                maxClockSkew, maxBackfill, maxVolumeL, maxAbsBalance, rejectLogInterval);
    }

    public UplinkSettings withMaxClockSkew(Duration skew) {
        return new UplinkSettings(topicPrefix, allowList, maxMeters, maxPayloadBytes, reorderWindow, maxHeldPerMeter,
                skew, maxBackfill, maxVolumeL, maxAbsBalance, rejectLogInterval);
    }

    public UplinkSettings withMaxBackfill(Duration backfill) {
        return new UplinkSettings(topicPrefix, allowList, maxMeters, maxPayloadBytes, reorderWindow, maxHeldPerMeter,
                maxClockSkew, backfill, maxVolumeL, maxAbsBalance, rejectLogInterval);
    }
}
