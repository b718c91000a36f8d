package org.meterhub.gateway.poll;

import java.time.Duration;

/**
 * How a bus is polled.
 *
 * @param interval each meter's read interval
 * @param jitter   up to this much is added at random to each interval, so meters that started
 *                 together do not stay in lock-step
 * @param interFrameDelay silence after a reply before the next request (RS-485 turnaround)
 * @param retries  extra attempts after a failed read, each after {@code retryBackoff} doubled
 * @param degradeAfter consecutive failed polls after which a meter is polled {@code degradeFactor}
 *                     times less often until it answers again
 * @param firstPollSpread a meter's first poll after its bus starts (a DTU registered, a port opened)
 *                     comes at a random point within this window. The short default ({@code jitter})
 *                     reads a bus soon after it appears; a whole district of DTUs redialling after a cell
 *                     outage wants the window of a full {@code interval}, so their first polls do not all
 *                     land during the dial-in burst (a concentrator spreads its meters the same way)
 * @param confirmationReads on a noisy CJ/T 188 line, at most this many confirmation reads per poll; a poll
 *                     whose replies never agree fails as {@code UNCONFIRMED} and is not retried
 */
public record PollSettings(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                           int retries, Duration retryBackoff, int degradeAfter, int degradeFactor,
                           Duration firstPollSpread, int confirmationReads) {
    public static final int DEFAULT_CONFIRMATION_READS = 2;

    public PollSettings {
        if (confirmationReads < 1) {
            throw new IllegalArgumentException("confirmation reads must be at least 1, got " + confirmationReads);
        }
    }

    /** With the default bound on confirmation reads. */
    public PollSettings(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                        int retries, Duration retryBackoff, int degradeAfter, int degradeFactor,
                        Duration firstPollSpread) {
        this(interval, jitter, timeout, interFrameDelay, retries, retryBackoff, degradeAfter, degradeFactor,
                firstPollSpread, DEFAULT_CONFIRMATION_READS);
    }

    /** First polls spread over {@code jitter}, as before the spread was a setting of its own. */
    public PollSettings(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                        int retries, Duration retryBackoff, int degradeAfter, int degradeFactor) {
        this(interval, jitter, timeout, interFrameDelay, retries, retryBackoff, degradeAfter, degradeFactor, jitter);
    }

    public static PollSettings defaults() {
        return new PollSettings(Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofMillis(20), 2, Duration.ofMillis(200), 3, 4);
    }

    public PollSettings withInterval(Duration newInterval, Duration newJitter) {
        return new PollSettings(newInterval, newJitter, timeout, interFrameDelay, retries, retryBackoff,
                degradeAfter, degradeFactor, firstPollSpread.equals(jitter) ? newJitter : firstPollSpread, confirmationReads);
    }

    /** The same settings with the first polls of a new bus spread over {@code spread}. */
    public PollSettings withFirstPollSpread(Duration spread) {
        if (spread.isNegative()) throw new IllegalArgumentException("first-poll spread must not be negative");
        return new PollSettings(interval, jitter, timeout, interFrameDelay, retries, retryBackoff, degradeAfter,
                degradeFactor, spread, confirmationReads);
    }

    /** The same settings with at most {@code n} confirmation reads per poll. */
    public PollSettings withConfirmationReads(int n) {
        return new PollSettings(interval, jitter, timeout, interFrameDelay, retries, retryBackoff, degradeAfter,
                degradeFactor, firstPollSpread, n);
    }
}
