package org.meterhub.engine.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows password guessing: after {@code maxFailures} failed logins within {@code window} for one user,
 * or from one address, further attempts for that user or from that address are refused for
 * {@code lockout}, right or wrong. Both keys count, so one address cannot try many users and many
 * addresses cannot try one user. Memory is bounded: the oldest entries go first.
 */
public final class LoginThrottle {
    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    private static final int MAX_KEYS = 10_000;

    /** The knobs; defaults: 5 failures in 15 min lock for 15 min. */
    public record Settings(int maxFailures, Duration window, Duration lockout) {
        public Settings {
            if (maxFailures < 1) throw new IllegalArgumentException("max-failures: expected at least 1, got " + maxFailures);
            if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window: expected a positive duration");
            if (lockout.isNegative() || lockout.isZero()) throw new IllegalArgumentException("lockout: expected a positive duration");
        }

        public static Settings defaults() {
            return new Settings(5, Duration.ofMinutes(15), Duration.ofMinutes(15));
        }
    }

    private static final class Entry {
        Instant windowStart;
        int failures;
        Instant lockedUntil = Instant.MIN;
    }

    private final Settings settings;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public LoginThrottle(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** When locked: until when. */
    public synchronized Optional<Instant> lockedUntil(String user, String address) {
        Instant now = clock.instant();
        Instant until = Instant.MIN;
        for (String key : new String[] {"user:" + user, "addr:" + address}) {
            Entry e = entries.get(key);
            if (e != null && e.lockedUntil.isAfter(until)) until = e.lockedUntil;
        }
        return until.isAfter(now) ? Optional.of(until) : Optional.empty();
    }

    public synchronized void failed(String user, String address) {
        Instant now = clock.instant();
        for (String key : new String[] {"user:" + user, "addr:" + address}) {
            Entry e = entries.computeIfAbsent(key, k -> new Entry());
            if (e.windowStart == null || now.isAfter(e.windowStart.plus(settings.window()))) {
                e.windowStart = now;
                e.failures = 0;
            }
            if (++e.failures >= settings.maxFailures() && !e.lockedUntil.isAfter(now)) {
                e.lockedUntil = now.plus(settings.lockout());
                log.warn("login locked for {} after {} failed attempts within {}: refused until {}", key, e.failures,
                        settings.window(), e.lockedUntil);
            }
        }
    }

    /** A success clears the user's count (not the address's: one good password does not excuse a scan). */
    public synchronized void succeeded(String user) {
        Entry e = entries.get("user:" + user);
        if (e != null && !e.lockedUntil.isAfter(clock.instant())) entries.remove("user:" + user);
    }
}
