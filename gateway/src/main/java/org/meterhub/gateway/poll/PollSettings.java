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
 */
public record PollSettings(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                           int retries, Duration retryBackoff, int degradeAfter, int degradeFactor) {

    public static PollSettings defaults() {
        return new PollSettings(Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofMillis(20), 2, Duration.ofMillis(200), 3, 4);
    }

    public PollSettings withInterval(Duration newInterval, Duration newJitter) {
        return new PollSettings(newInterval, newJitter, timeout, interFrameDelay, retries, retryBackoff,
                degradeAfter, degradeFactor);
    }
}
