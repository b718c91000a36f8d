package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;
import java.util.Arrays;

/** The mirror of {@link BodyReader}: builds a data field. Values were range-checked by the records. */
final class BodyWriter {

    private byte[] buf = new byte[48];
    private int len;

    BodyWriter di(int di, DiOrder order) {
        ensure(2);
        order.write(di, buf, len);
        len += 2;
        return this;
    }

    BodyWriter u8(int value) {
        ensure(1);
        buf[len++] = (byte) value;
        return this;
    }

    BodyWriter u16LowFirst(int value) {
        return u8(value & 0xFF).u8(value >>> 8);
    }

    BodyWriter quantity(Quantity q, int decimals) {
        bcd(Bcd.scaled(q.value(), decimals), 4);
        return u8(q.unit().code());
    }

    BodyWriter decimal(BigDecimal value, int bytes, int decimals) {
        return bcd(Bcd.scaled(value, decimals), bytes);
    }

    BodyWriter bcd(long value, int bytes) {
        ensure(bytes);
        Bcd.encode(value, buf, len, bytes);
        len += bytes;
        return this;
    }

    BodyWriter bytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    BodyWriter clock(MeterClock clock) {
        return bytes(clock.raw7());
    }

    BodyWriter status(MeterStatus status) {
        return u8(status.st0()).u8(status.st1());
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
