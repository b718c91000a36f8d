package org.meterhub.gateway.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.meterhub.gateway.driver.ReadFailure;

/**
 * One bus's health, as the console's Gateways page shows it: whether it is connected, its polls that produced a
 * reading or failed after their retries in the last {@link #window()} (a ring of {@link #SLOTS} slots, so the
 * window slides by a tenth of itself), when it last produced a reading, and when and why it last failed.
 *
 * <p>The reason is the failure's kind ({@code timeout}, {@code bad_reply}, {@code meter_error}, {@code unconfirmed},
 * {@code busy}, {@code closed}), never its message: messages name the meter, and a bus is infrastructure that the
 * console shows to every viewer. Thread-safe: pollers run on event loops, the status writer on its own thread.
 */
public final class BusHealth {
    /** One hour: long enough to hold polls of an hourly-read bus, short enough that a bus that recovered shows it soon. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
    static final int SLOTS = 10;

    /** What the gateway reports for one bus. */
    public record Snapshot(String kind, String name, boolean connected, long pollsOk, long pollsFailed, Duration window,
                           Instant lastOk, Instant lastErrorAt, String lastError) {
    }

    private final String kind;
    private final String name;
    private final Clock clock;
    private final long slotMillis;
    private final long[] okSlots = new long[SLOTS];
    private final long[] failedSlots = new long[SLOTS];
    /** The slot number (epoch ms / slot length) each array entry holds. */
    private final long[] slotOf = new long[SLOTS];
    private volatile BooleanSupplier connected = () -> false;
    private Instant lastOk;
    private Instant lastErrorAt;
    private String lastError;

    public BusHealth(String kind, String name, Clock clock, Duration window) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (window.toMillis() < SLOTS) throw new IllegalArgumentException("window: at least " + SLOTS + " ms");
        this.slotMillis = window.toMillis() / SLOTS;
        java.util.Arrays.fill(slotOf, Long.MIN_VALUE);
    }

    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public Duration window() {
        return Duration.ofMillis(slotMillis * SLOTS);
    }

    /** How to tell whether the bus is connected now (a DTU registered, a serial port or TCP session open). */
    public BusHealth connectedBy(BooleanSupplier isConnected) {
        this.connected = Objects.requireNonNull(isConnected, "isConnected");
        return this;
    }

    public boolean connected() {
        return connected.getAsBoolean();
    }

    /** A poll produced a reading. */
    public synchronized void ok() {
        Instant now = clock.instant();
        okSlots[slot(now)]++;
        lastOk = now;
    }

    /** A poll failed after its retries (or was given up unconfirmed). */
    public synchronized void failed(Throwable error) {
        Instant now = clock.instant();
        failedSlots[slot(now)]++;
        lastErrorAt = now;
        lastError = reason(error);
    }

    /**
     * Counts what happened on a link that is not polled (the MQTT uplink: batches acknowledged or refused since the last
     * count), all at once, now. {@code reason} of the last failure, null to keep the one before.
     */
    public synchronized void count(long ok, long failed, String reason) {
        Instant now = clock.instant();
        int i = slot(now);
        okSlots[i] += ok;
        failedSlots[i] += failed;
        if (ok > 0) lastOk = now;
        if (failed > 0) {
            lastErrorAt = now;
            if (reason != null) lastError = reason;
        }
    }

    /** The failure's kind, never its message (which may name a meter). */
    static String reason(Throwable error) {
        if (error instanceof ReadFailure rf) return rf.kind().name().toLowerCase(Locale.ROOT);
        return error == null ? "unknown" : error.getClass().getSimpleName();
    }

    public synchronized Snapshot snapshot() {
        long current = clock.millis() / slotMillis;
        long ok = 0;
        long failed = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slotOf[i] > current - SLOTS && slotOf[i] <= current) {
                ok += okSlots[i];
                failed += failedSlots[i];
            }
        }
        return new Snapshot(kind, name, connected(), ok, failed, window(), lastOk, lastErrorAt, lastError);
    }

    private int slot(Instant now) {
        long n = now.toEpochMilli() / slotMillis;
        int i = (int) Math.floorMod(n, (long) SLOTS);
        if (slotOf[i] != n) {
            slotOf[i] = n;
            okSlots[i] = 0;
            failedSlots[i] = 0;
        }
        return i;
    }
}
