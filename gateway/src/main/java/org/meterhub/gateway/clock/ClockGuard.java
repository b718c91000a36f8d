package org.meterhub.gateway.clock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.clock.ClockTrust.Judgement;
import org.meterhub.gateway.journal.UplinkMark;
import org.meterhub.gateway.journal.UplinkOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between the drivers (pollers, MQTT uplinks) and the journal and gives every reading the time {@link ClockTrust}
 * stands behind. While the gateway clock is trusted and its timeline is on it, a reading passes unchanged. Otherwise
 * its time is re-judged: the meter's clock when it is usable, else the timeline, with {@code CLOCK_SKEW} recomputed
 * against the reference; and {@code receivedAt} is the timeline too. A reading for which there is no time at all is
 * held in {@link HeldReadings} (durably: an MQTT uplink is acknowledged once it is held) and handed on, timed by the
 * monotonic clock, as soon as a timeline exists. While anything is held, newer readings queue behind it, so the
 * journal still sees each meter's readings in the order they were taken.
 */
public final class ClockGuard implements ReadingSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClockGuard.class);
    private static final int RELEASE_BATCH = 500;
    private static final Duration SAVE_FLOOR_EVERY = Duration.ofMinutes(1);

    private final ClockTrust trust;
    private final HeldReadings held;
    private final Function<Reading, CompletableFuture<Void>> downstream;
    private final java.util.function.BooleanSupplier downstreamAccepting;
    private final ScheduledExecutorService io;
    private final String boot;
    /** Rows in the held table that wait to be handed on (also those being inserted). */
    private final AtomicLong holding = new AtomicLong();
    private final AtomicLong heldTotal = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong restamped = new AtomicLong();
    private final AtomicLong checkFailures = new AtomicLong();
    /** Only on {@link #io}: {@link System#nanoTime()} of the first failed check of the current episode, 0 while they work. */
    private long failingSince;
    private long failuresAtEpisodeStart;
    /** Only on {@link #io}: the highest id handed on whose durability is awaited. */
    private long forwardedUpTo;
    private Instant savedFloor;
    private long floorSavedAt = Long.MIN_VALUE;

    private ClockGuard(ClockTrust trust, HeldReadings held, Function<Reading, CompletableFuture<Void>> downstream,
                       java.util.function.BooleanSupplier downstreamAccepting) {
        this.trust = trust;
        this.held = held;
        this.downstream = downstream;
        this.downstreamAccepting = downstreamAccepting;
        this.boot = bootId();
        this.io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "clock-guard");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the held readings at {@code heldPath}, takes the newest reading time of the last run as the clock's floor,
     * and starts checking the clock once a second.
     *
     * @param downstream the journal's append: its future completes when the reading is durable
     */
    public static ClockGuard open(ClockTrust trust, Path heldPath, Function<Reading, CompletableFuture<Void>> downstream) {
        return open(trust, heldPath, downstream, () -> true);
    }

    /**
     * @param downstreamAccepting whether the journal can take readings now (e.g. {@code journal::accepting}): pollers
     *                            behind the guard pause while it cannot, instead of reading and discarding
     */
    public static ClockGuard open(ClockTrust trust, Path heldPath, Function<Reading, CompletableFuture<Void>> downstream,
                                  java.util.function.BooleanSupplier downstreamAccepting) {
        HeldReadings h = HeldReadings.open(heldPath);
        ClockGuard g = new ClockGuard(trust, h, downstream, downstreamAccepting);
        try {
            g.savedFloor = h.floor();
            trust.raiseFloor(g.savedFloor);
            g.timeOtherBoots();
            long waiting = h.count();
            g.holding.set(waiting);
            if (waiting > 0) log.info("clock: {} readings from before the restart wait for a time ({})", waiting, heldPath);
            g.io.scheduleWithFixedDelay(g::tick, 0, 1, TimeUnit.SECONDS);
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /** The held readings' file beside a journal: {@code data/journal.db} holds them in {@code data/journal.db-clock}. */
    public static Path heldPathFor(Path journal) {
        return journal.resolveSibling(journal.getFileName() + "-clock");
    }

    public ClockTrust trust() {
        return trust;
    }

    @Override
    public boolean accepting() {
        return downstreamAccepting.getAsBoolean();
    }

    /**
     * Hands the reading on with the time the gateway stands behind, or holds it.
     *
     * @return completes when the reading is durable downstream or held; fails when neither could take it
     */
    public CompletableFuture<Void> append(Reading r) {
        return append(r, trust.judge(r.meterId(), r.meterTime(), behindAllowed(r.source())));
    }

    /**
     * An MQTT uplink's readings (history first, its own reading last) with its identity. While the gateway's clock
     * is trusted and nothing is held (the normal case) they go to {@code downstream} together, which keeps the
     * identity with them (the journal recognises redeliveries by it). Otherwise each reading is judged and handed on
     * or held on its own, as a single reading would be, and the identity is not recorded: a redelivery of such an
     * uplink is then recognised only by the journal's key (meter, time, source). Only the message's own reading is
     * shown to the clock's judgement: its history entries are old on purpose and say nothing about the meter's clock.
     */
    public CompletableFuture<UplinkOutcome> appendUplink(UplinkMark mark, List<Reading> readings,
            BiFunction<UplinkMark, List<Reading>, CompletableFuture<UplinkOutcome>> downstreamUplink) {
        Reading own = readings.get(readings.size() - 1);
        Judgement j = trust.judge(own.meterId(), own.meterTime(), behindAllowed(own.source()));
        if (j.known() && j.onWall() && holding.get() == 0) return downstreamUplink.apply(mark, readings);
        CompletableFuture<?>[] each = new CompletableFuture<?>[readings.size()];
        for (int i = 0; i < each.length - 1; i++) each[i] = append(readings.get(i));
        each[each.length - 1] = append(own, j);
        return CompletableFuture.allOf(each).thenApply(v -> UplinkOutcome.NEW);
    }

    private CompletableFuture<Void> append(Reading r, Judgement j) {
        Reading out = !j.known() ? null : j.onWall() ? r : stamp(r, j);
        if (out != null && holding.get() == 0) return downstream.apply(out);
        holding.incrementAndGet();
        if (out == null) heldTotal.incrementAndGet();
        Instant wall = r.receivedAt();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            held.hold(r, j.mono(), boot, wall, out);
            release();
        }, io);
        done.whenComplete((ok, e) -> {
            if (e != null) {
                holding.decrementAndGet();
                log.error("clock: a reading could not be held: {} (meter at DEBUG)", e.getMessage());
                log.debug("clock: reading of meter {} at {} could not be held", r.meterId(), r.time());
            }
        });
        return done;
    }

    /** A {@link ReadingSink} for the pollers: a reading refused downstream is logged there (the journal). */
    @Override
    public void accept(Reading r) {
        append(r);
    }

    /** Readings waiting for a time (or behind one that does). */
    public long held() {
        return holding.get();
    }

    /** Readings held for want of a time since start; {@code released}: handed on after being held. */
    public long heldTotal() {
        return heldTotal.get();
    }

    public long released() {
        return released.get();
    }

    /** Readings whose time or flags the guard changed from what the driver stamped with the gateway clock. */
    public long restamped() {
        return restamped.get();
    }

    /** e.g. {@code clock: UNTRUSTED (behind meters by 26y)}, with the readings held when there are any. */
    public String statusText() {
        long h = holding.get();
        return trust.status().text() + (h > 0 ? " held " + h : "");
    }

    private Duration behindAllowed(ReadingSource source) {
        return source == ReadingSource.MQTT ? trust.settings().maxBackfill() : trust.settings().maxClockSkew();
    }

    private Reading stamp(Reading r, Judgement j) {
        restamped.incrementAndGet();
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        flags.addAll(r.flags());
        flags.remove(ReadingFlag.CLOCK_SKEW);
        if (j.skewed()) flags.add(ReadingFlag.CLOCK_SKEW);
        // a settlement reading's time is the settlement instant, worked out from the meter's clock, not a receive time
        Instant time = r.has(ReadingFlag.SETTLEMENT) ? r.time() : j.time();
        return new Reading(r.meterId(), time, j.receivedAt(), r.volumeL(), r.source(), flags, r.statusBits(), r.meterTime());
    }

    /** Checks of the clock (or saves of its floor) that failed since start, e.g. {@code SQLITE_FULL} on a full disk. */
    public long checkFailures() {
        return checkFailures.get();
    }

    /**
     * Once a second. A failure (typically the held-readings file on a full disk) is retried every second but logged
     * once per episode, and once more when the check works again: a full disk is already alarmed by the journal.
     */
    private void tick() {
        try {
            trust.evaluate();
            release();
            saveFloor(false);
            if (failingSince != 0) {
                log.info("clock: check works again after {} failed attempts in {} s", checkFailures.get() - failuresAtEpisodeStart,
                        (System.nanoTime() - failingSince) / 1_000_000_000L);
                failingSince = 0;
            }
        } catch (RuntimeException e) {
            checkFailures.incrementAndGet();
            if (failingSince == 0) {
                failingSince = System.nanoTime();
                failuresAtEpisodeStart = checkFailures.get() - 1;
                log.warn("clock: check failed: {} (retried every second; logged again when it works)", e.getMessage());
            }
        }
    }

    /** On {@link #io}: hands on what is held, oldest first, as long as there is a time for it. */
    private void release() {
        if (holding.get() == 0 || !trust.hasTime()) return;
        List<HeldReadings.Held> batch = held.oldestWaiting(forwardedUpTo, RELEASE_BATCH);
        for (HeldReadings.Held h : batch) {
            Reading out = h.stamped();
            if (out == null) {
                Judgement j = trust.judgeHeld(h.reading().meterTime(), behindAllowed(h.reading().source()), h.mono());
                if (j == null) return; // no timeline after all; the order is kept: try again later
                out = stamp(h.reading(), j);
                held.stamp(h.id(), out);
            }
            long id = h.id();
            forwardedUpTo = id;
            downstream.apply(out).whenCompleteAsync((ok, e) -> {
                if (e == null) {
                    held.remove(id);
                    holding.decrementAndGet();
                    released.incrementAndGet();
                } else {
                    forwardedUpTo = Math.min(forwardedUpTo, id - 1); // again at the next tick, with the same stamp
                    log.warn("clock: held reading {} not taken downstream yet: {}", id, e.getMessage());
                }
            }, io);
        }
        if (batch.size() == RELEASE_BATCH) io.execute(this::release);
    }

    /**
     * Readings held in an earlier boot cannot be timed by the monotonic clock. Their gateway receive time is used
     * when it is plausible (not before the build date); else the meter's own clock when there is one; a reading
     * with neither stays held, is not counted as waiting, and is logged: its consumption is not lost, the meter's
     * next reading carries the register.
     */
    private void timeOtherBoots() {
        long after = 0;
        List<HeldReadings.Held> batch;
        int timed = 0;
        int untimed = 0;
        do {
            batch = held.oldest(after, RELEASE_BATCH);
            for (HeldReadings.Held h : batch) {
                after = h.id();
                if (h.stamped() != null || h.boot().equals(boot)) continue;
                Reading r = h.reading();
                Judgement j = trust.judgeAt(r.meterTime(), behindAllowed(r.source()), h.wall());
                if (j == null && r.meterTime() != null && trust.plausible(r.meterTime())) {
                    j = new Judgement(r.meterTime(), r.meterTime(), false, false, h.mono());
                }
                if (j == null) {
                    if (!h.boot().startsWith("untimed:")) {
                        held.untimed(h.id());
                        untimed++;
                    }
                    continue;
                }
                held.stamp(h.id(), stamp(r, j));
                timed++;
            }
        } while (batch.size() == RELEASE_BATCH);
        if (timed + untimed > 0) {
            log.warn("clock: {} readings held before a reboot timed by their receive or meter clock; {} have no time"
                    + " at all and stay in {} (the meters' next readings carry their registers)", timed, untimed, held.path());
        }
    }

    private void saveFloor(boolean now) {
        Instant f = trust.floor();
        if (f == null || f.equals(savedFloor)) return;
        long m = System.nanoTime();
        if (!now && floorSavedAt != Long.MIN_VALUE && m - floorSavedAt < SAVE_FLOOR_EVERY.toNanos()) return;
        held.saveFloor(f);
        savedFloor = f;
        floorSavedAt = m;
    }

    /** The kernel's boot id: monotonic times of one boot compare; a random id if there is none. */
    static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (Exception e) {
            return "process:" + UUID.randomUUID();
        }
    }

    @Override
    public void close() {
        try {
            io.submit(() -> saveFloor(true)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("clock: final save of the floor: {}", e.getMessage());
        }
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        held.close();
    }
}
