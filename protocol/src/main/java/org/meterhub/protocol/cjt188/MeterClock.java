package org.meterhub.protocol.cjt188;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * The meter's real-time clock: 7 BCD bytes in wire order {@code ss mm hh DD MM YY CC}.
 *
 * <p>The raw bytes are kept because meters with a flat battery or an unset clock send all zeros or
 * nonsense, and an engineer needs to see exactly what came. Unlike other BCD fields, an invalid clock
 * does not make the whole reply invalid: {@link #value()} is then null. Losing a billing volume because
 * the clock is wrong would be the worse outcome.
 *
 * <p>The clock has no zone: meters keep local time.
 */
public record MeterClock(byte[] raw7, LocalDateTime value) {

    public static final int WIRE_LENGTH = 7;

    /** All zeros: what a meter whose clock was never set sends. */
    public static final MeterClock UNSET = fromWire(new byte[WIRE_LENGTH]);

    /**
     * @throws IllegalArgumentException if raw7 is not 7 bytes or {@code value} is not what raw7 says
     */
    public MeterClock {
        Objects.requireNonNull(raw7, "raw7");
        if (raw7.length != WIRE_LENGTH) {
            throw new IllegalArgumentException("meter clock needs 7 bytes, got " + raw7.length);
        }
        raw7 = raw7.clone();
        LocalDateTime parsed = parse(raw7);
        if (!Objects.equals(value, parsed)) {
            throw new IllegalArgumentException("value " + value + " does not match the clock bytes " + Hex.bytes(raw7)
                    + " (which mean " + parsed + ")");
        }
    }

    public static MeterClock fromWire(byte[] raw7) {
        Objects.requireNonNull(raw7, "raw7");
        return new MeterClock(raw7, raw7.length == WIRE_LENGTH ? parse(raw7) : null);
    }

    /** Whole seconds: the wire has no finer resolution. */
    public static MeterClock of(LocalDateTime time) {
        Objects.requireNonNull(time, "time");
        if (time.getYear() < 0 || time.getYear() > 9999) {
            throw new IllegalArgumentException("year " + time.getYear() + " does not fit in CC YY");
        }
        byte[] raw = {
            Bcd.fromInt(time.getSecond()), Bcd.fromInt(time.getMinute()), Bcd.fromInt(time.getHour()),
            Bcd.fromInt(time.getDayOfMonth()), Bcd.fromInt(time.getMonthValue()),
            Bcd.fromInt(time.getYear() % 100), Bcd.fromInt(time.getYear() / 100),
        };
        return fromWire(raw);
    }

    public boolean valid() {
        return value != null;
    }

    @Override
    public byte[] raw7() {
        return raw7.clone();
    }

    private static LocalDateTime parse(byte[] raw) {
        boolean allZero = true;
        for (byte b : raw) {
            if (!Bcd.isBcd(b & 0xFF)) {
                return null;
            }
            allZero &= b == 0;
        }
        if (allZero) {
            return null;
        }
        int year = Bcd.toInt(raw[6] & 0xFF) * 100 + Bcd.toInt(raw[5] & 0xFF);
        try {
            return LocalDateTime.of(year, Bcd.toInt(raw[4] & 0xFF), Bcd.toInt(raw[3] & 0xFF),
                    Bcd.toInt(raw[2] & 0xFF), Bcd.toInt(raw[1] & 0xFF), Bcd.toInt(raw[0] & 0xFF));
        } catch (DateTimeException e) {
            return null;
        }
    }

    String describe() {
        if (value != null) {
            return value.toString();
        }
        return Arrays.equals(raw7, new byte[WIRE_LENGTH]) ? "not set (all zeros)" : "not a valid date/time";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeterClock c && Arrays.equals(raw7, c.raw7);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw7);
    }

    @Override
    public String toString() {
        return "MeterClock[" + describe() + ", raw=" + Hex.bytes(raw7) + "]";
    }
}
