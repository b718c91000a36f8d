package org.meterhub.app.alarm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.gateway.alarm.ProcessAlarm;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a process's own faults into alarms an operator receives (on the alarm topic, as meter alarms go out), not only
 * an ERROR line and {@code /health}: its store DOWN for longer than a threshold, its journal unable to write, its
 * journal's disk low, its clock untrusted. Each condition is checked once a second; an alarm is raised once when the
 * condition has lasted its threshold and resolved once when it is over. A store blip shorter than the threshold
 * (a PostgreSQL restart of a few seconds) raises nothing.
 */
public final class ProcessAlarms implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessAlarms.class);

    /** One watched condition; {@code detail} says why while it lasts. */
    public record Condition(String kind, BooleanSupplier active, Supplier<String> detail, Duration after) {
    }

    private static final class Watch {
        final Condition c;
        long activeSinceNanos;
        ProcessAlarm open;

        Watch(Condition c) {
            this.c = c;
        }
    }

    private final String subject;
    private final Consumer<ProcessAlarm> sink;
    private final Clock clock;
    private final List<Watch> watches = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final AtomicLong raised = new AtomicLong();
    private final AtomicLong resolved = new AtomicLong();

    /**
     * @param subject the process as the alarm topic names it ({@code alarms/<subject>})
     * @param sink    where changes go (an MQTT alarm sink's {@code published}); must not block
     */
    public ProcessAlarms(String subject, List<Condition> conditions, Consumer<ProcessAlarm> sink, Clock clock) {
        this.subject = subject;
        this.sink = sink;
        this.clock = clock;
        for (Condition c : conditions) watches.add(new Watch(c));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "process-alarms");
            t.setDaemon(true);
            return t;
        });
    }

    public ProcessAlarms start() {
        timer.scheduleWithFixedDelay(this::check, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** The store DOWN for at least {@code after}. */
    public static Condition storeDown(StoreHealth store, Duration after) {
        return new Condition("STORE_DOWN", store::down,
                () -> store.status() + " (" + store.lastError() + ", " + store.failures() + " failed attempts);"
                        + " readings wait in the journal", after);
    }

    /** The journal cannot commit (disk full, I/O error, read-only): pollers pause, MQTT acknowledgements wait. */
    public static Condition journalCannotWrite(Journal journal) {
        return new Condition("JOURNAL_CANNOT_WRITE", () -> !journal.stats().writable(), () -> {
            JournalStats j = journal.stats();
            return "journal " + journal.settings().path() + " cannot write since " + j.failingSince() + " ("
                    + j.lastWriteError() + "); " + j.freeBytes() + " bytes free; polling paused";
        }, Duration.ZERO);
    }

    /** Free disk of the journal's file system below {@code journal.min-free-disk}: the early warning. */
    public static Condition journalDiskLow(Journal journal) {
        return new Condition("JOURNAL_DISK_LOW", () -> journal.stats().diskLow(),
                () -> "journal " + journal.settings().path() + ": " + journal.stats().freeBytes()
                        + " bytes free, below journal.min-free-disk " + journal.settings().minFreeBytes(), Duration.ZERO);
    }

    /** The gateway's own clock cannot be trusted (before the build date, behind the newest reading, not synchronised). */
    public static Condition clockUntrusted(ClockGuard clock) {
        return new Condition("CLOCK_UNTRUSTED", () -> !clock.trust().status().trusted(), clock::statusText, Duration.ZERO);
    }

    /** Alarms raised / resolved since start. */
    public long raised() {
        return raised.get();
    }

    public long resolved() {
        return resolved.get();
    }

    private void check() {
        for (Watch w : watches) {
            try {
                check(w);
            } catch (RuntimeException e) {
                log.debug("process alarm {}: check failed: {}", w.c.kind(), e.getMessage());
            }
        }
    }

    private void check(Watch w) {
        boolean active = w.c.active().getAsBoolean();
        long now = System.nanoTime();
        if (!active) {
            w.activeSinceNanos = 0;
            if (w.open != null) {
                ProcessAlarm done = w.open.resolved(clock.instant(), "cleared: " + w.c.kind().toLowerCase().replace('_', ' ')
                        + " over after " + Duration.between(w.open.raisedAt(), clock.instant()).toSeconds() + " s");
                w.open = null;
                resolved.incrementAndGet();
                log.info("alarm {} of {} resolved", done.kind(), subject);
                sink.accept(done);
            }
            return;
        }
        if (w.activeSinceNanos == 0) w.activeSinceNanos = now;
        if (w.open != null || now - w.activeSinceNanos < w.c.after().toNanos()) return;
        Instant since = clock.instant().minusNanos(now - w.activeSinceNanos);
        w.open = new ProcessAlarm(w.c.kind(), subject, w.c.detail().get(), since, null);
        raised.incrementAndGet();
        log.warn("alarm {} of {} raised: {}", w.open.kind(), subject, w.open.detail());
        sink.accept(w.open);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
