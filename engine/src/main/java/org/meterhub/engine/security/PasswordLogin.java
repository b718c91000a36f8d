package org.meterhub.engine.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A password login under the throttle: refused while the user or the address is locked, counted
 * when wrong, cleared when right. The one flow behind HTTP Basic and the console's login form.
 */
public final class PasswordLogin {

    /** What a login attempt came to. */
    public sealed interface Outcome permits Accepted, Wrong, Locked {
    }

    public record Accepted(Principal principal) implements Outcome {
    }

    public record Wrong() implements Outcome {
    }

    /** @param retryAfterSeconds for the Retry-After header, at least 1 */
    public record Locked(long retryAfterSeconds) implements Outcome {
    }

    private final JdbcUsers users;
    private final LoginThrottle throttle;
    private final Clock clock;

    public PasswordLogin(JdbcUsers users, LoginThrottle throttle, Clock clock) {
        this.users = users;
        this.throttle = throttle;
        this.clock = clock;
    }

    public Outcome attempt(String user, char[] password, String address) {
        Optional<Instant> locked = throttle.lockedUntil(user, address);
        if (locked.isPresent()) {
            return new Locked(Math.max(1, Duration.between(clock.instant(), locked.get()).toSeconds()));
        }
        Optional<Principal> who = users.byPassword(user, password);
        if (who.isEmpty()) {
            throttle.failed(user, address);
            return new Wrong();
        }
        throttle.succeeded(user);
        return new Accepted(who.get());
    }
}
