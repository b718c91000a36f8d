package org.meterhub.simulators.dtu;

/**
 * How long bytes take on an RS-485 line: one start bit, eight data bits, optional parity, one
 * stop bit. At 9600 baud 8N1 one byte takes 10/9600 s = 1.04 ms.
 *
 * @param baud line speed; 0 means no wire delay at all
 * @param parity whether a parity bit is sent (8E1/8O1)
 * @param meterLatencyMicros time the meter takes to start answering
 */
public record WireModel(int baud, boolean parity, long meterLatencyMicros) {

    public static WireModel rs485(int baud) {
        return new WireModel(baud, false, 5_000);
    }

    public static WireModel instant() {
        return new WireModel(0, false, 0);
    }

    public long bitsPerByte() {
        return parity ? 11 : 10;
    }

    public long micros(int bytes) {
        return baud == 0 ? 0 : bytes * bitsPerByte() * 1_000_000L / baud;
    }

    /** From the first request byte on the line to the last reply byte at the master. */
    public long exchangeMicros(int requestBytes, int replyBytes) {
        return micros(requestBytes) + meterLatencyMicros + micros(replyBytes);
    }
}
