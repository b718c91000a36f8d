package org.meterhub.gateway.serial;

import java.time.Duration;
import java.util.Objects;

/**
 * One RS-485 line.
 *
 * @param port            device path, e.g. {@code /dev/ttyUSB0} (a pseudo-terminal path works too)
 * @param baud            1200..115200
 * @param interFrameDelay silence kept before each request, at least the Modbus RTU 3.5-character
 *                        gap ({@link #minimumSilence()}); RS-485 transceivers need it to turn around
 */
public record SerialSettings(String port, int baud, Parity parity, Duration interFrameDelay) {
    public static final int MIN_BAUD = 1200;
    public static final int MAX_BAUD = 115_200;

    public SerialSettings {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(parity, "parity");
        Objects.requireNonNull(interFrameDelay, "interFrameDelay");
        if (baud < MIN_BAUD || baud > MAX_BAUD) {
            throw new IllegalArgumentException("baud must be " + MIN_BAUD + ".." + MAX_BAUD + ", got " + baud);
        }
        if (interFrameDelay.isNegative()) throw new IllegalArgumentException("inter-frame delay must not be negative");
    }

    /** 9600 baud 8N1, silence of 3.5 characters. */
    public static SerialSettings of(String port, int baud, Parity parity) {
        return new SerialSettings(port, baud, parity, Duration.ZERO);
    }

    /** Start, 8 data, parity if any, stop. */
    public int bitsPerCharacter() {
        return parity == Parity.NONE ? 10 : 11;
    }

    public long characterNanos() {
        return bitsPerCharacter() * 1_000_000_000L / baud;
    }

    /**
     * Modbus RTU's 3.5-character silence between frames; above 19200 baud the standard fixes it
     * at 1.75 ms because UARTs cannot time shorter gaps reliably.
     */
    public Duration minimumSilence() {
        return baud > 19_200 ? Duration.ofNanos(1_750_000) : Duration.ofNanos(characterNanos() * 7 / 2);
    }

    /** The silence actually kept before a request: the configured delay, but never less than 3.5 characters. */
    public Duration silence() {
        Duration min = minimumSilence();
        return interFrameDelay.compareTo(min) > 0 ? interFrameDelay : min;
    }

    /** Time {@code bytes} need on the wire. */
    public Duration wireTime(int bytes) {
        return Duration.ofNanos(bytes * characterNanos());
    }
}
