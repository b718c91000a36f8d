package org.meterhub.gateway.dtu;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The dial-in contract's knobs (protocols.md §2); the defaults are the contract.
 *
 * @param port 0 picks a free port (tests, demo)
 * @param maxBytesWithoutFrame a bus that sends this many bytes without one valid frame is cut off
 * @param heartbeatTimeout     a connected DTU silent this long counts as a half-open tunnel: a newcomer with its
 *                             id but no proof may then replace it (protocols.md §2). Before that it is refused
 */
public record DtuSettings(String host, int port, Duration registrationTimeout, Duration idleTimeout,
                          String heartbeat, Pattern idPattern, int maxBytesWithoutFrame, int preambleBytes,
                          Duration heartbeatTimeout) {

    /** What may follow the id and a colon on the registration line: printable ASCII, no spaces. */
    static final Pattern PROOF = Pattern.compile("[\\x21-\\x7E]{1,128}");

    public DtuSettings {
        if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
            throw new IllegalArgumentException("heartbeat-timeout: expected a positive duration, got " + heartbeatTimeout);
        }
    }

    /** With the heartbeat timeout at the idle timeout: only a proof replaces a tunnel that is still open. */
    public DtuSettings(String host, int port, Duration registrationTimeout, Duration idleTimeout,
                       String heartbeat, Pattern idPattern, int maxBytesWithoutFrame, int preambleBytes) {
        this(host, port, registrationTimeout, idleTimeout, heartbeat, idPattern, maxBytesWithoutFrame, preambleBytes,
                idleTimeout);
    }

    public static final Pattern DEFAULT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public static DtuSettings defaults(String host, int port) {
        return new DtuSettings(host, port, Duration.ofSeconds(10), Duration.ofMinutes(5), "HB\n",
                DEFAULT_ID, 4096, 2, Duration.ofMinutes(2));
    }

    public byte[] heartbeatBytes() {
        return heartbeat.getBytes(StandardCharsets.US_ASCII);
    }

    /** Longest registration line that could still be valid (id, colon, proof, CR LF), with room to spare. */
    public int maxRegistrationBytes() {
        return 64 + 1 + 128 + 2 + 64;
    }
}
