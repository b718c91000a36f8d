package org.meterhub.gateway.mqtt;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One validated message from {@code meters/{meter}/up}.
 *
 * @param seq        the meter's message counter, or -1 when the meter sent none
 * @param volumeL    cumulative register in litres, exact (volume_m3 has at most 3 decimals)
 * @param balanceM3  remaining credit of a volume meter, or null
 * @param balanceCny remaining credit of a money meter, or null
 * @param valve      null when not reported
 * @param batteryV   null when not reported; kept as the decimal the meter sent
 * @param unknownAlarms alarm names outside the contract, kept for counting
 * @param history    the valid entries of the optional {@code history} array, as sent
 * @param badHistory why each refused history entry was refused (the rest of the message stands)
 */
public record Uplink(String meterId, long seq, Instant ts, long volumeL, BigDecimal balanceM3,
                     BigDecimal balanceCny, Valve valve, Set<AlarmKind> alarms, BigDecimal batteryV,
                     int unknownAlarms, List<Frozen> history, List<UplinkRejected> badHistory) {
    public Uplink {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(ts, "ts");
        alarms = Set.copyOf(alarms);
        history = List.copyOf(history);
        badHistory = List.copyOf(badHistory);
    }

    public Uplink(String meterId, long seq, Instant ts, long volumeL, BigDecimal balanceM3, BigDecimal balanceCny,
                  Valve valve, Set<AlarmKind> alarms, BigDecimal batteryV, int unknownAlarms) {
        this(meterId, seq, ts, volumeL, balanceM3, balanceCny, valve, alarms, batteryV, unknownAlarms, List.of(), List.of());
    }

    /** One entry of {@code history}: a register the meter froze at {@code ts} (hourly, usually). */
    public record Frozen(Instant ts, long volumeL) {
    }

    /**
     * A hash of what the message says (not of its bytes, so a meter that re-serialises a retry is still the
     * same message): the same meter and seq with another digest is a conflict. FNV-1a, 64 bits.
     */
    public long digest() {
        long h = 0xcbf29ce484222325L;
        h = mix(h, ts.toEpochMilli());
        h = mix(h, volumeL);
        h = mix(h, balanceM3 == null ? 0 : balanceM3.stripTrailingZeros().hashCode() + 1L);
        h = mix(h, balanceCny == null ? 0 : balanceCny.stripTrailingZeros().hashCode() + 2L);
        h = mix(h, valve == null ? 0 : valve.ordinal() + 1L);
        long a = 0;
        for (AlarmKind k : alarms) a |= 1L << k.ordinal();
        h = mix(h, a);
        h = mix(h, batteryV == null ? 0 : batteryV.stripTrailingZeros().hashCode() + 3L);
        for (Frozen f : history) {
            h = mix(h, f.ts().toEpochMilli());
            h = mix(h, f.volumeL());
        }
        return h;
    }

    private static long mix(long h, long v) {
        for (int i = 0; i < 8; i++) {
            h ^= (v >>> (i * 8)) & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    public boolean hasSeq() {
        return seq >= 0;
    }
}
