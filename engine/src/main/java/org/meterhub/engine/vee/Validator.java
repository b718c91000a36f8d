package org.meterhub.engine.vee;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;

/**
 * Validation of each reading against the previous one of its meter (the "V" of VEE).
 *
 * <p>Flags only: a reading is never changed or dropped here. The checks, in order:
 * meter-reported faults and clock skew (from the reading alone); then, against the previous
 * reading, unit mismatch (the register jumped by 10^k, which explains a spike or a drop, so no
 * spike or reverse-flow flag is raised as well), reverse flow (a decrease that is not a
 * rollover on a meter not meant to run backwards), spike (more than Qmax × elapsed time) and
 * stuck register (no increase for {@link VeeSettings#stuckAfter()} on a supplied meter that
 * used gas before; flagged once per stuck period).
 *
 * <p>State: 9 bytes a meter (last increase time, two bits), indexed by the same slots as the
 * consumption calculator. The previous reading comes from the calculator, not from here.
 * Single-threaded.
 */
public final class Validator {

    /** Receives findings without an object each; {@code a} and {@code b} are the numbers behind the reason. */
    @FunctionalInterface
    public interface FlagSink {
        void flag(int slot, long timeMs, FlagKind kind, long a, long b);
    }

    /** Marks "no previous reading" in {@code prevTimeMs}. */
    public static final long NONE = Long.MIN_VALUE;

    private static final int USED_BEFORE = 1;
    private static final int STUCK_FLAGGED = 2;
    private static final int FAULT_BITS = bit(ReadingFlag.VALVE_FAULT) | bit(ReadingFlag.LOW_BATTERY);
    private static final int CLOCK_BITS = bit(ReadingFlag.CLOCK_SKEW) | bit(ReadingFlag.CLOCK_INVALID);
    private static final long[] POWERS = {10, 100, 1000};

    private final VeeSettings settings;
    private final long stuckAfterMs;
    private final long maxSkewMs;
    private long[] lastIncreaseMs;
    private byte[] bits;

    public Validator(VeeSettings settings, int expectedMeters) {
        this.settings = settings;
        this.stuckAfterMs = settings.stuckAfter().toMillis();
        this.maxSkewMs = settings.maxClockSkew().toMillis();
        int n = Math.max(16, expectedMeters);
        lastIncreaseMs = new long[n];
        bits = new byte[n];
    }

    public static int bit(ReadingFlag f) {
        return 1 << f.ordinal();
    }

    public static int bits(Iterable<ReadingFlag> flags) {
        int b = 0;
        for (ReadingFlag f : flags) b |= bit(f);
        return b;
    }

    /**
     * Checks one in-order reading.
     *
     * @param prevTimeMs {@link #NONE} when the meter has no earlier reading
     * @param supplied   whether the meter's account is supplied (ignited, not suspended or sealed)
     */
    public void check(int slot, long prevTimeMs, long prevL, long timeMs, long volumeL, long capacityL,
                      int readingFlags, int statusBits, long receivedAtMs, MeterClass meterClass, boolean supplied,
                      FlagSink sink) {
        ensure(slot);
        if ((readingFlags & FAULT_BITS) != 0) sink.flag(slot, timeMs, FlagKind.METER_FAULT, readingFlags & FAULT_BITS, statusBits);
        long skew = timeMs - receivedAtMs;
        if ((readingFlags & CLOCK_BITS) != 0 || Math.abs(skew) > maxSkewMs) {
            sink.flag(slot, timeMs, FlagKind.CLOCK_SKEW, skew, readingFlags & CLOCK_BITS);
        }
        if (prevTimeMs == NONE || timeMs <= prevTimeMs) return;
        long delta = volumeL - prevL;
        boolean rollover = delta < 0 && prevL > capacityL / 10 * 9 && volumeL < capacityL / 10;
        if (rollover) delta = capacityL - prevL + volumeL;
        long limit = meterClass.qmaxLph() * (timeMs - prevTimeMs) / 3_600_000L;
        if ((delta < 0 || delta > limit) && prevL >= 1000) {
            long factor = unitFactor(prevL, volumeL);
            if (factor != 0) {
                sink.flag(slot, timeMs, FlagKind.UNIT_MISMATCH, factor, prevL);
                return;
            }
        }
        if (delta < 0) {
            if (!meterClass.bidirectional()) sink.flag(slot, timeMs, FlagKind.REVERSE_FLOW, -delta, prevL);
            return;
        }
        if (delta > limit) sink.flag(slot, timeMs, FlagKind.SPIKE, delta, limit);
        if (delta > 0) {
            lastIncreaseMs[slot] = timeMs;
            bits[slot] = USED_BEFORE;
        } else if ((bits[slot] & (USED_BEFORE | STUCK_FLAGGED)) == USED_BEFORE && supplied
                && timeMs - lastIncreaseMs[slot] >= stuckAfterMs) {
            bits[slot] |= STUCK_FLAGGED;
            sink.flag(slot, timeMs, FlagKind.STUCK_REGISTER, (timeMs - lastIncreaseMs[slot]) / 86_400_000L, volumeL);
        }
    }

    /** The object path: flags with their reasons. */
    public List<ValidationFlag> validate(int slot, Reading r, long prevTimeMs, long prevL, long capacityL,
                                         MeterClass meterClass, boolean supplied, Instant now) {
        List<ValidationFlag> out = new ArrayList<>(1);
        check(slot, prevTimeMs, prevL, r.time().toEpochMilli(), r.volumeL(), capacityL, bits(r.flags()), r.statusBits(),
                r.receivedAt().toEpochMilli(), meterClass, supplied,
                (s, t, kind, a, b) -> out.add(new ValidationFlag(r.meterId(), r.time(), kind, reason(kind, a, b), now)));
        return out;
    }

    /** The reason text for a finding; the numbers are those passed to {@link FlagSink}. */
    public static String reason(FlagKind kind, long a, long b) {
        return switch (kind) {
            case SPIKE -> "register advanced " + a + " L, more than Qmax allows in the interval (" + b + " L)";
            case STUCK_REGISTER -> "no consumption for " + a + " days (register " + b
                    + " L) on a supplied meter that used before";
            case CLOCK_SKEW -> (b != 0 ? "gateway flagged the meter clock (" + names(b) + "); " : "")
                    + "meter clock differs from receive time by " + a / 1000 + " s";
            case UNIT_MISMATCH -> "register is " + (a > 0 ? a + " times" : "1/" + (-a) + " of")
                    + " the previous " + b + " L: another unit or resolution";
            case REVERSE_FLOW -> "register went down by " + a + " L from " + b
                    + " L on a meter not meant to run backwards";
            case METER_FAULT -> "meter reports " + names(a) + " (status word 0x" + Long.toHexString(b) + ")";
            // not found by this validator: engine.evc words its own reason, with decimal numbers
            case CONVERSION_ERROR -> "base volume differs from the recomputed one";
        };
    }

    private static String names(long readingFlagBits) {
        StringBuilder sb = new StringBuilder();
        for (ReadingFlag f : ReadingFlag.values()) {
            if ((readingFlagBits & bit(f)) != 0) sb.append(sb.length() == 0 ? "" : ",").append(f.name());
        }
        return sb.toString();
    }

    /** 10^k when volume ≈ prev × 10^k, -10^k when volume ≈ prev / 10^k, else 0. */
    private long unitFactor(long prevL, long volumeL) {
        return unitFactor(prevL, volumeL, settings.unitTolerancePercent());
    }

    /** 10^k when volume ≈ prev × 10^k, -10^k when volume ≈ prev / 10^k (within {@code tol} %), else 0. */
    public static long unitFactor(long prevL, long volumeL, long tol) {
        for (long p : POWERS) {
            long up = prevL * p;
            if (Math.abs(volumeL - up) * 100 <= up * tol) return p;
            long down = volumeL * p;
            if (Math.abs(down - prevL) * 100 <= prevL * tol) return -p;
        }
        return 0;
    }

    public long stateBytes() {
        return lastIncreaseMs.length * 9L;
    }

    private void ensure(int slot) {
        if (slot < bits.length) return;
        int n = Math.max(slot + 1, bits.length * 2);
        lastIncreaseMs = Arrays.copyOf(lastIncreaseMs, n);
        bits = Arrays.copyOf(bits, n);
    }
}
