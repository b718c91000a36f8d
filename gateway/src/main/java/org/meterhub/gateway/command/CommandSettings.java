package org.meterhub.gateway.command;

import java.time.Duration;
import java.util.Objects;

/**
 * @param topicPrefix   first topic level, as for uplinks ({@code meters})
 * @param resendAfter   first resend this long after a send without ack; doubles per attempt
 * @param maxResendAfter the doubling stops here
 * @param timeout       default deadline of a new command, from its creation
 * @param tick          how often open commands are checked for resend and expiry
 */
public record CommandSettings(String topicPrefix, Duration resendAfter, Duration maxResendAfter, Duration timeout,
                              Duration tick) {
    public CommandSettings {
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        if (resendAfter.isZero() || resendAfter.isNegative() || maxResendAfter.compareTo(resendAfter) < 0) {
            throw new IllegalArgumentException("need 0 < resend-after <= max-resend-after");
        }
        if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("timeout must be positive");
        if (tick.isZero() || tick.isNegative()) throw new IllegalArgumentException("tick must be positive");
    }

    public static CommandSettings defaults() {
        return new CommandSettings("meters", Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(24),
                Duration.ofSeconds(1));
    }

    public CommandSettings withTopicPrefix(String prefix) {
        return new CommandSettings(prefix, resendAfter, maxResendAfter, timeout, tick);
    }

    public CommandSettings withTiming(Duration resend, Duration maxResend, Duration deadline, Duration tickEvery) {
        return new CommandSettings(topicPrefix, resend, maxResend, deadline, tickEvery);
    }
}
