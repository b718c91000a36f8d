package org.meterhub.gateway.dtu;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The dial-in contract's knobs (protocols.md §2); the defaults are the contract.
 *
 * @param port 0 picks a free port (tests, demo)
 * @param maxBytesWithoutFrame a bus that sends this many bytes without one valid frame is cut off
 */
public record DtuSettings(String host, int port, Duration registrationTimeout, Duration idleTimeout,
                          String heartbeat, Pattern idPattern, int maxBytesWithoutFrame, int preambleBytes) {

    public static final Pattern DEFAULT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public static DtuSettings defaults(String host, int port) {
        return new DtuSettings(host, port, Duration.ofSeconds(10), Duration.ofMinutes(5), "HB\n",
                DEFAULT_ID, 4096, 2);
    }

    public byte[] heartbeatBytes() {
        return heartbeat.getBytes(StandardCharsets.US_ASCII);
    }

    /** Longest registration line that could still be valid, terminator included. */
    int maxRegistrationBytes() {
        return 66 + 64;
    }
}
