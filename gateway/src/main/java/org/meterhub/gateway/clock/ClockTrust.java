package org.meterhub.gateway.clock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.meterhub.gateway.clock.SyncProbe.Sync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which clock is wrong: the gateway's own, or the meters'.
 *
 * <p>The gateway clock is <em>trusted</em> when the operating system says it is synchronised, or else when it is
 * plausible: not before {@link ClockSettings#notBefore()} (the build time of the jar) and not behind the newest
 * reading this gateway knows of by more than {@code max-clock-skew}. A concentrator booting with a flat RTC battery
 * (clock at 2000-01-01) and no network time yet fails both.
 *
 * <p>While it is not trusted, meter clocks that agree with each other are the reference: each meter clock seen
 * (CJ/T 188 and Modbus meter time, MQTT {@code ts}) is a sample, tied to the monotonic clock, and the median of at
 * least {@code meter-quorum} agreeing meters (more than half of the recent ones) gives the time. Without either,
 * there is no time: a reading without a usable meter clock is held ({@link ClockGuard}), never stamped with an
 * impossible date.
 *
 * <p>Readings the gateway stamps itself get their time from a <em>timeline</em> that runs on the monotonic clock
 * ({@code System.nanoTime}): set from the reference when one first exists, it follows the reference exactly while
 * they are within {@code step-threshold}, and slews towards it by at most {@code max-slew} percent beyond that. So a
 * wall clock step back or forward (an NTP correction) creates no negative interval, no duplicate key and no gap: the
 * timeline never runs backwards and never jumps. Steps are detected (wall against monotonic), counted and logged.
 *
 * <p>Thread-safe; every method is short and synchronised.
 */
public final class ClockTrust {
    private static final Logger log = LoggerFactory.getLogger(ClockTrust.class);
    /** Meter clock samples kept at most (latest per meter); an implementation bound, not a domain number. */
    static final int MAX_SAMPLES = 256;
    private static final long CONSENSUS_REFRESH_NANOS = 100_000_000L;

    private final ClockSettings settings;
    private final Clock wall;
    private final LongSupplier mono;
    private final SyncProbe probe;
    private final Long notBefore;
    private final long skewNanos;
    private final long stepNanos;
    private final long windowNanos;
    /** {@link #always}: the wall clock is the timeline, whatever it does (simulated and hand-moved clocks). */
    private final boolean wallOnly;

    private final Map<String, long[]> samples = new LinkedHashMap<>(64, 0.75f, true);
    private boolean samplesChanged;
    private long consensusKey;
    private boolean consensus;
    private int consensusAgreeing;
    private long consensusAt = Long.MIN_VALUE;

    private long floor = Long.MIN_VALUE;
    private boolean timelineSet;
    private long timelineEpoch;
    private long timelineMono;
    private boolean slewing;
    private boolean baseSet;
    private long wallMinusMono;
    private long steps;
    private long lastStep;
    private Sync sync = Sync.UNKNOWN;
    private boolean trusted = true;
    private String why = "not yet checked";

    /**
     * @param wall      the gateway's wall clock (tests inject one at 2000-01-01)
     * @param mono      a monotonic nanosecond clock, {@code System::nanoTime} outside tests
     * @param buildTime when the jar was built ({@link BuildInfo#buildTime()}), null if unknown; overridden by
     *                  {@link ClockSettings#notBefore()}
     */
    public ClockTrust(ClockSettings settings, Clock wall, LongSupplier mono, SyncProbe probe, Instant buildTime) {
        this(settings, wall, mono, probe, buildTime, false);
    }

    private ClockTrust(ClockSettings settings, Clock wall, LongSupplier mono, SyncProbe probe, Instant buildTime,
                       boolean wallOnly) {
        this.wallOnly = wallOnly;
        this.settings = settings;
        this.wall = wall;
        this.mono = mono;
        this.probe = probe;
        Instant nb = settings.notBefore() != null ? settings.notBefore() : buildTime;
        this.notBefore = nb == null ? null : nanos(nb);
        this.skewNanos = settings.maxClockSkew().toNanos();
        this.stepNanos = settings.stepThreshold().toNanos();
        this.windowNanos = settings.sampleWindow().toNanos();
        evaluate();
    }

    /** The system clocks, the settings' sync probe and the build time of this jar. */
    public static ClockTrust system(ClockSettings settings) {
        return new ClockTrust(settings, Clock.systemUTC(), System::nanoTime, SyncProbe.of(settings),
                BuildInfo.buildTime().orElse(null));
    }

    /**
     * A gateway clock that is always trusted and never questioned: {@code clock} stamps everything, as before this
     * class existed (unit tests of the drivers, tools).
     */
    public static ClockTrust always(Clock clock, Duration maxClockSkew) {
        return new ClockTrust(ClockSettings.defaults().withMaxClockSkew(maxClockSkew).withoutSyncProbe(), clock,
                System::nanoTime, SyncProbe.fixed(Sync.SYNCED), null, true);
    }

    public ClockSettings settings() {
        return settings;
    }

    /**
     * What one reading's clock is worth.
     *
     * @param time       the reading's time: the meter's clock when it is usable, else the gateway's timeline; null
     *                   when there is no usable time at all (hold the reading)
     * @param receivedAt the gateway's timeline when it was received; null with {@code time}
     * @param skewed     the meter sent a clock, but it is too far from the reference ({@code CLOCK_SKEW})
     * @param onWall     the gateway clock is trusted and the timeline is exactly on it: what the driver stamped from
     *                   the wall clock stands
     * @param mono       the monotonic time of the judgement, to time a held reading later
     */
    public record Judgement(Instant time, Instant receivedAt, boolean skewed, boolean onWall, long mono) {
        public boolean known() {
            return time != null;
        }
    }

    /**
     * Judges a reading received now. A meter clock also counts as a sample towards the meters' consensus.
     *
     * @param meterTime         the meter's clock as it reported it, or null when it sent none (or an invalid one)
     * @param behindAllowed     how far behind the reference the meter time may be and still be the reading's time
     *                          (MQTT: {@code max-backfill}; polled meters: {@code max-clock-skew})
     */
    public synchronized Judgement judge(String meterId, Instant meterTime, Duration behindAllowed) {
        long m = mono.getAsLong();
        long w = nanos(wall.instant());
        checkStep(w, m);
        if (meterTime != null) sample(meterId, nanos(meterTime), m);
        reassess(w, m);
        Long target = target(w, m);
        Long now = advance(m, target);
        if (now == null) return new Judgement(null, null, false, false, m);
        boolean onWall = trusted && now == w;
        long ref = target != null ? target : now;
        return judged(meterTime, behindAllowed, now, ref, onWall, m);
    }

    /**
     * Judges a reading that was held since monotonic time {@code heldMono} (in this boot), now that the timeline
     * exists: its receive time is the timeline then. Null while there is still no timeline.
     */
    public synchronized Judgement judgeHeld(Instant meterTime, Duration behindAllowed, long heldMono) {
        long m = mono.getAsLong();
        Long now = advance(m, target(nanos(wall.instant()), m));
        if (now == null) return null;
        long then = now - Math.max(0, m - heldMono);
        return judged(meterTime, behindAllowed, then, then, false, heldMono);
    }

    /**
     * Judges a reading against a receive time from another boot (no monotonic link): null when {@code received} is
     * not plausible (before {@link #notBefore()}).
     */
    public synchronized Judgement judgeAt(Instant meterTime, Duration behindAllowed, Instant received) {
        if (!plausible(received)) return null;
        long t = nanos(received);
        return judged(meterTime, behindAllowed, t, t, false, 0);
    }

    /** Not before the build date (or {@code not-before}): a time this gateway's software can have seen. */
    public boolean plausible(Instant t) {
        return notBefore == null || nanos(t) >= notBefore;
    }

    /** The gateway trusts no clock before this (the build date or {@code not-before}); null if unknown. */
    public Instant notBefore() {
        return notBefore == null ? null : instant(notBefore);
    }

    private Judgement judged(Instant meterTime, Duration behindAllowed, long now, long ref, boolean onWall, long m) {
        long time = now;
        boolean skewed = false;
        if (meterTime != null) {
            long d = nanos(meterTime) - ref;
            long behind = Math.max(skewNanos, behindAllowed.toNanos());
            if (d <= skewNanos && -d <= behind) {
                time = nanos(meterTime);
                if (d >= -skewNanos) raiseFloor(time); // a backfilled ts says nothing about the present
            } else {
                skewed = true;
            }
        }
        if (onWall) raiseFloor(now);
        return new Judgement(instant(time), instant(now), skewed, onWall, m);
    }

    /**
     * Whether the timeline exists: there is a reference now (trusted gateway clock or meters' consensus), or there
     * was one earlier in this process.
     */
    public synchronized boolean hasTime() {
        long m = mono.getAsLong();
        long w = nanos(wall.instant());
        checkStep(w, m);
        reassess(w, m);
        return advance(m, target(w, m)) != null;
    }

    /** The gateway's best time now (the timeline), or null when it has none (see {@link #hasTime()}). */
    public synchronized Instant now() {
        long m = mono.getAsLong();
        long w = nanos(wall.instant());
        checkStep(w, m);
        reassess(w, m);
        Long now = advance(m, target(w, m));
        return now == null ? null : instant(now);
    }

    /**
     * A {@link Clock} on the gateway's timeline, for what needs "now" in the right year (settlement days, receive
     * times); the wall clock while there is no timeline, and {@link TimelineClock#hasTime()} says so.
     */
    public TimelineClock clock() {
        return new TimelineClock(this);
    }

    /** See {@link #clock()}. */
    public static final class TimelineClock extends Clock {
        private final ClockTrust trust;

        private TimelineClock(ClockTrust trust) {
            this.trust = trust;
        }

        /** False while the gateway has no time it stands behind: nothing should be scheduled by this clock then. */
        public boolean hasTime() {
            return trust.hasTime();
        }

        @Override
        public Instant instant() {
            Instant now = trust.now();
            return now != null ? now : trust.wall.instant();
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /**
     * Asks the sync probe again and re-checks trust; call periodically (a slow probe runs here, not on the
     * readings' path).
     */
    public void evaluate() {
        Sync s = probe.status();
        synchronized (this) {
            sync = s;
            long m = mono.getAsLong();
            long w = nanos(wall.instant());
            checkStep(w, m);
            reassess(w, m);
        }
    }

    /** The newest reading time known from elsewhere (store, journal, the last run): the clock must not be behind it. */
    public synchronized void raiseFloor(Instant newest) {
        if (newest != null) raiseFloor(nanos(newest));
    }

    /** The newest reading time this gateway knows of, or null. */
    public synchronized Instant floor() {
        return floor == Long.MIN_VALUE ? null : instant(floor);
    }

    /** Whether the gateway clock is trusted now (sync as last probed, build date, newest reading). */
    public synchronized boolean trusted() {
        long m = mono.getAsLong();
        long w = nanos(wall.instant());
        checkStep(w, m);
        reassess(w, m);
        return trusted;
    }

    /**
     * The clock's state for status lines and health endpoints.
     *
     * @param gatewayMinusMeters how far the gateway clock is ahead of the meters' consensus (negative: behind); null
     *                           without a consensus
     * @param steps              wall clock steps seen since start; {@code lastStep} the latest (zero if none)
     */
    public record Status(boolean trusted, String reason, Sync sync, Duration gatewayMinusMeters, int agreeingMeters,
                         boolean hasTime, long steps, Duration lastStep) {
        /** e.g. {@code clock: UNTRUSTED (behind meters by 26y)} or {@code clock: synchronised}. */
        public String text() {
            String meters = gatewayMinusMeters == null ? null
                    : (gatewayMinusMeters.isNegative() ? "behind meters by " : "ahead of meters by ")
                    + ClockTrust.human(gatewayMinusMeters.abs());
            if (trusted) {
                boolean off = gatewayMinusMeters != null && meters != null
                        && gatewayMinusMeters.abs().compareTo(Duration.ofMinutes(1)) > 0;
                return "clock: " + reason + (off ? " (" + meters + ")" : "");
            }
            return "clock: UNTRUSTED (" + (meters != null ? meters : reason) + (hasTime ? "" : ", no time yet") + ")";
        }
    }

    public synchronized Status status() {
        long m = mono.getAsLong();
        long w = nanos(wall.instant());
        checkStep(w, m);
        reassess(w, m);
        boolean has = advance(m, target(w, m)) != null;
        Duration off = refreshConsensus(m) ? Duration.ofNanos(w - (consensusKey + m)) : null;
        return new Status(trusted, why, sync, off, consensus ? consensusAgreeing : 0, has, steps, Duration.ofNanos(lastStep));
    }

    // ---- inside, under the lock ----

    private void raiseFloor(long t) {
        if (t > floor) floor = t;
    }

    private void reassess(long w, long m) {
        boolean t;
        String reason;
        if (sync == Sync.SYNCED) {
            t = true;
            reason = "synchronised";
        } else if (notBefore != null && w < notBefore) {
            t = false;
            reason = "before the build date " + instant(notBefore).toString().substring(0, 10);
        } else if (floor != Long.MIN_VALUE && w + skewNanos < floor) {
            t = false;
            reason = "behind the newest reading by " + human(Duration.ofNanos(floor - w));
        } else {
            t = true;
            reason = sync == Sync.UNSYNCED ? "plausible, not synchronised" : "plausible, sync unknown";
        }
        if (t != trusted || !reason.equals(why)) {
            if (t != trusted) {
                if (t) log.info("gateway clock trusted again ({}) at {}", reason, instant(w));
                else log.warn("gateway clock NOT trusted ({}): it shows {}; meter clocks that agree are used, readings"
                        + " without one are held until there is a time", reason, instant(w));
            }
            trusted = t;
            why = reason;
        }
    }

    private void checkStep(long w, long m) {
        long off = w - m;
        if (!baseSet) {
            baseSet = true;
            wallMinusMono = off;
            return;
        }
        long d = off - wallMinusMono;
        wallMinusMono = off;
        if (Math.abs(d) > stepNanos) {
            steps++;
            lastStep = d;
            log.warn("gateway clock stepped {} by {} (now {})", d > 0 ? "forward" : "back", human(Duration.ofNanos(Math.abs(d))),
                    instant(w));
        }
    }

    /** The reference now: the trusted wall clock, else the meters' consensus, else none. */
    private Long target(long w, long m) {
        if (trusted) return w;
        return refreshConsensus(m) ? consensusKey + m : null;
    }

    /** Moves the timeline to monotonic time {@code m}, towards {@code target}; null while it has never been set. */
    private Long advance(long m, Long target) {
        if (wallOnly) return nanos(wall.instant());
        if (!timelineSet) {
            if (target == null) return null;
            timelineSet = true;
            timelineEpoch = target;
            timelineMono = m;
            log.info("gateway timeline set to {} ({})", instant(target), trusted ? "gateway clock" : "meters' consensus");
            return timelineEpoch;
        }
        long dt = Math.max(0, m - timelineMono);
        long candidate = timelineEpoch + dt;
        long next = candidate;
        if (target != null) {
            long err = target - candidate;
            if (Math.abs(err) <= stepNanos) {
                next = Math.max(target, timelineEpoch);
                if (slewing) log.info("gateway timeline caught up with its reference");
                slewing = false;
            } else {
                long limit = dt / 100 * settings.maxSlewPercent();
                next = candidate + Math.max(-limit, Math.min(limit, err));
                if (!slewing) {
                    log.warn("gateway timeline {} its reference by {}: slewing at most {}% (no step in readings' times)",
                            err > 0 ? "behind" : "ahead of", human(Duration.ofNanos(Math.abs(err))), settings.maxSlewPercent());
                }
                slewing = true;
            }
        }
        if (next < timelineEpoch) next = timelineEpoch;
        timelineEpoch = next;
        timelineMono = m;
        return next;
    }

    private void sample(String meterId, long meterNanos, long m) {
        long key = meterNanos - m;
        long[] s = samples.get(meterId);
        if (s == null) {
            samples.put(meterId, new long[] {key, m});
            if (samples.size() > MAX_SAMPLES) {
                Iterator<long[]> it = samples.values().iterator();
                it.next();
                it.remove();
            }
        } else {
            s[0] = key;
            s[1] = m;
        }
        samplesChanged = true;
    }

    /**
     * Recomputes the consensus when it is stale: new samples (at most every 100 ms once there is a consensus), or a
     * second since the last computation (samples age out). True if there is one.
     */
    private boolean refreshConsensus(long m) {
        if (consensusAt != Long.MIN_VALUE) {
            long age = m - consensusAt;
            boolean stale = samplesChanged ? !consensus || age >= CONSENSUS_REFRESH_NANOS : age >= 10 * CONSENSUS_REFRESH_NANOS;
            if (!stale) return consensus;
        }
        samplesChanged = false;
        consensusAt = m;
        long[] keys = new long[samples.size()];
        int n = 0;
        for (Iterator<long[]> it = samples.values().iterator(); it.hasNext(); ) {
            long[] s = it.next();
            if (m - s[1] > windowNanos) {
                it.remove();
            } else {
                keys[n++] = s[0];
            }
        }
        consensus = false;
        if (n < settings.meterQuorum()) return false;
        Arrays.sort(keys, 0, n);
        long median = keys[n / 2];
        int first = -1;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (Math.abs(keys[i] - median) <= skewNanos) {
                if (first < 0) first = i;
                last = i;
            }
        }
        int agreeing = last - first + 1;
        if (agreeing < settings.meterQuorum() || agreeing * 2 <= n) return false;
        consensus = true;
        consensusAgreeing = agreeing;
        consensusKey = keys[(first + last) >>> 1];
        return true;
    }

    static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** The largest whole unit: {@code 26y}, {@code 3d}, {@code 1h}, {@code 5m}, {@code 40s}, {@code 250ms}. */
    static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 365L * 86_400) return s / (365L * 86_400) + "y";
        if (s >= 86_400) return s / 86_400 + "d";
        if (s >= 3_600) return s / 3_600 + "h";
        if (s >= 60) return s / 60 + "m";
        if (s >= 1) return s + "s";
        return d.toMillis() + "ms";
    }
}
