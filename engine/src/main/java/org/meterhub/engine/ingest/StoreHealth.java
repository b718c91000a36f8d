package org.meterhub.engine.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store takes this process's commits: UP, or DOWN since the first failed commit of an
 * outage. Going DOWN raises one alarm (an ERROR line and {@link Listener#down}); further failures
 * of the same outage are counted and logged at most every 30 s; the first commit after it clears
 * the state ({@link Listener#up}). Readings refused for good are counted apart: they do not make the
 * store DOWN. Thread-safe; read by status lines and the health endpoint.
 */
public final class StoreHealth {
    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

    /** Told of state changes, on the committing thread; must not block. */
    public interface Listener {
        void down(Instant since, String reason);

        void up(Instant since, Duration outage);

        Listener NONE = new Listener() {
            @Override
            public void down(Instant since, String reason) {
            }

            @Override
            public void up(Instant since, Duration outage) {
            }
        };
    }

    private final String store;
    private final Clock clock;
    private volatile Listener listener = Listener.NONE;
    private volatile Instant downSince;
    private volatile String lastError;
    private volatile Duration lastOutage;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong alarms = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private long lastLogNanos;

    public StoreHealth(String store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public StoreHealth listener(Listener l) {
        this.listener = l;
        return this;
    }

    /** A commit failed for a reason that may pass; the next attempt comes after {@code retryIn}. */
    public synchronized void failed(Throwable failure, Duration retryIn) {
        failures.incrementAndGet();
        String reason = StoreFailure.reason(failure);
        lastError = reason;
        long now = System.nanoTime();
        if (downSince == null) {
            Instant since = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            downSince = since;
            alarms.incrementAndGet();
            lastLogNanos = now;
            log.error("ALARM store DOWN since {}: {} ({}). What is not committed waits (the journal, or the file"
                    + " being imported); retrying in {} ms, backing off", since, store, reason, retryIn.toMillis());
            listener.down(since, reason);
        } else if (now - lastLogNanos > 30_000_000_000L) {
            lastLogNanos = now;
            log.warn("store still DOWN since {} ({} failed attempts): {}; next attempt in {} ms", downSince,
                    failures.get(), reason, retryIn.toMillis());
        }
    }

    /** A commit succeeded: an outage, if any, is over. */
    public void committed() {
        if (downSince == null) return; // the common case, without the lock
        synchronized (this) {
            Instant since = downSince;
            if (since == null) return;
            Duration outage = Duration.between(since, clock.instant());
            downSince = null;
            lastOutage = outage;
            log.info("store UP again after {} s (DOWN since {}); what waited in the journal is being committed",
                    outage.toSeconds(), since);
            listener.up(since, outage);
        }
    }

    /** Readings the store refused for a reason that will not pass, set aside with it. */
    public void rejected(int readings) {
        rejected.addAndGet(readings);
        org.meterhub.engine.metrics.EngineMetrics.READINGS_REJECTED.labelValues(
                org.meterhub.engine.metrics.EngineMetrics.STORE_REFUSED).inc(readings);
    }

    public boolean down() {
        return downSince != null;
    }

    /** When the current outage began, or null. */
    public Instant downSince() {
        return downSince;
    }

    /** The reason of the last failed commit, or null. */
    public String lastError() {
        return lastError;
    }

    /** The length of the last outage that ended, or null. */
    public Duration lastOutage() {
        return lastOutage;
    }

    public long failures() {
        return failures.get();
    }

    /** Outages (one alarm each). */
    public long alarms() {
        return alarms.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** {@code store: UP} or {@code store: DOWN since 2026-11-24T22:00:00Z}, for status lines. */
    public String status() {
        Instant since = downSince;
        return since == null ? "store: UP" : "store: DOWN since " + since;
    }
}
