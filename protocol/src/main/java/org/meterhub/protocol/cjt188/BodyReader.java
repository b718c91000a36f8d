package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Reads the data field of a frame field by field. Every read names its field, so an invalid byte is
 * reported as "current cumulative: ... is not BCD" rather than as an offset, and every read can be
 * reported to a {@link FieldSink}: that is how the explainer lists fields using the same layout code
 * as the decoder.
 */
final class BodyReader {

    /** Receives each field as it is read; offsets are into the data field. */
    interface FieldSink {
        FieldSink NONE = (name, from, to, meaning) -> { };

        void field(String name, int from, int toExclusive, String meaning);
    }

    private final byte[] data;
    private final FieldSink sink;
    private int pos;

    BodyReader(byte[] data, FieldSink sink) {
        this.data = data;
        this.sink = sink;
    }

    int position() {
        return pos;
    }

    int length() {
        return data.length;
    }

    /** Exact-length layouts: a shorter or longer data field is reported with both lengths. */
    void requireLength(int expected, String what) throws Cjt188Exception {
        if (data.length != expected) {
            throw new Cjt188Exception(what + " too " + (data.length < expected ? "short" : "long") + ": needs "
                    + expected + " data bytes (L=" + Hex.byteValue(expected) + "), frame has " + data.length
                    + " (L=" + Hex.byteValue(data.length) + ")");
        }
    }

    Cjt188Di.Read di(DiOrder orderForUnknown) {
        Cjt188Di.Read read = Cjt188Di.read(data, pos, orderForUnknown);
        record("DI", 2, () -> Hex.di(read.di()) + " " + Cjt188Di.describe(read.di()) + ", "
                + (read.order() == DiOrder.HIGH_FIRST ? "high byte first" : "low byte first"));
        return read;
    }

    int ser() {
        int ser = data[pos] & 0xFF;
        record("SER", 1, () -> "sequence number " + ser);
        return ser;
    }

    int u8(String name, IntFunction<String> meaning) {
        int value = data[pos] & 0xFF;
        record(name, 1, () -> meaning.apply(value));
        return value;
    }

    /** 4 BCD bytes with {@code decimals} decimals, then the unit byte. */
    Quantity quantity(String name, int decimals) throws Cjt188Exception {
        BigDecimal value = BigDecimal.valueOf(bcd(name, pos, 4), decimals);
        int unitCode = data[pos + 4] & 0xFF;
        Unit unit = Unit.of(unitCode).orElseThrow(
                () -> new Cjt188Exception(name + ": unknown unit code " + Hex.byteValue(unitCode)));
        Quantity q = new Quantity(value, unit);
        record(name, 5, q::toString);
        return q;
    }

    BigDecimal decimal(String name, int len, int decimals, String unitSymbol) throws Cjt188Exception {
        BigDecimal value = BigDecimal.valueOf(bcd(name, pos, len), decimals);
        record(name, len, () -> value.toPlainString() + " " + unitSymbol);
        return value;
    }

    long integer(String name, int len, String unitWord) throws Cjt188Exception {
        long value = bcd(name, pos, len);
        record(name, len, () -> value + " " + unitWord);
        return value;
    }

    MeterClock clock(String name) {
        MeterClock clock = MeterClock.fromWire(Arrays.copyOfRange(data, pos, pos + MeterClock.WIRE_LENGTH));
        record(name, MeterClock.WIRE_LENGTH, clock::describe);
        return clock;
    }

    MeterStatus status(String name) {
        MeterStatus status = new MeterStatus(data[pos] & 0xFF, data[pos + 1] & 0xFF);
        record(name, 2, status::describe);
        return status;
    }

    byte[] rest(String name) {
        byte[] rest = Arrays.copyOfRange(data, pos, data.length);
        record(name, rest.length, () -> rest.length + " bytes, not interpreted");
        return rest;
    }

    private long bcd(String name, int from, int len) throws Cjt188Exception {
        String invalid = Bcd.firstInvalid(data, from, len);
        if (invalid != null) {
            throw new Cjt188Exception(name + ": " + Hex.bytes(data, from, from + len) + " is not BCD (byte "
                    + invalid + " has a nibble above 9)");
        }
        return Bcd.decode(data, from, len);
    }

    private void record(String name, int len, Supplier<String> meaning) {
        if (sink != FieldSink.NONE) {
            sink.field(name, pos, pos + len, meaning.get());
        }
        pos += len;
    }
}
