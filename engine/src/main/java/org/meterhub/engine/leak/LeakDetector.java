package org.meterhub.engine.leak;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;

/**
 * Streaming leak detectors over each meter's consumption intervals: continuous flow, night
 * flow and burst. Works on whole hours (intervals never cross one): an hour is judged when the
 * first interval of a later hour arrives. Hours whose volume was spread over a gap
 * ({@link IntervalFlag#SPREAD}) are unknown, not flowing: a daily-read meter never looks like
 * continuous flow. A detection fires once per episode and re-arms when the condition ends.
 *
 * <p>State: about 40 bytes a meter in parallel arrays indexed by the shared slot. The night
 * window is in the utility's zone, which must have no daylight saving now (Asia/Shanghai has none);
 * single-threaded.
 */
public final class LeakDetector {

    /** Receives detections; {@code sinceMs} is when the condition began, {@code rateLph} the flow behind it. */
    @FunctionalInterface
    public interface DetectionSink {
        void detected(int slot, LeakKind kind, long atMs, long sinceMs, long rateLph);
    }

    private static final long HOUR = 3_600_000L;
    private static final int SPREAD = IntervalSink.bit(IntervalFlag.SPREAD);
    private static final int NONE = Integer.MIN_VALUE;
    private static final byte HOUR_UNKNOWN = 1;
    private static final byte NIGHT_BROKEN = 2;
    private static final byte ACTIVE_CONTINUOUS = 4;
    private static final byte ACTIVE_NIGHT = 8;
    private static final byte ACTIVE_BURST = 16;

    private final long offsetMs;
    private int[] curHour;
    private int[] curHourL;
    private int[] run;
    private int[] nightMinL;
    private int[] lastNightDay;
    private byte[] nightHours;
    private byte[] nightCount;
    private int[] dayPeakL;
    private int[] baselineL;
    private byte[] baselineDays;
    private long[] burstStartMs;
    private byte[] bits;

    public LeakDetector(ZoneId zone, int expectedMeters) {
        java.time.Instant now = java.time.Instant.now();
        if (zone.getRules().nextTransition(now) != null) {
            throw new IllegalArgumentException("the night window needs a zone without daylight saving, got " + zone);
        }
        ZoneOffset offset = zone.getRules().getOffset(now); // historic changes (Shanghai 1986-91) do not matter here
        this.offsetMs = offset.getTotalSeconds() * 1000L;
        allocate(Math.max(16, expectedMeters));
    }

    /** One interval of the meter in {@code slot}, as the consumption calculator produced it. */
    public void onInterval(int slot, long startMs, long endMs, long volumeL, int flags, LeakProfile p,
                           DetectionSink sink) {
        ensure(slot);
        int hour = (int) Math.floorDiv(startMs, HOUR);
        int cur = curHour[slot];
        if (cur == NONE || hour > cur) {
            if (cur != NONE) completeHour(slot, cur, p, sink);
            curHour[slot] = hour;
            curHourL[slot] = 0;
            bits[slot] &= ~HOUR_UNKNOWN;
        } else if (hour < cur) {
            return; // a corrected past hour: detectors look forward only
        }
        if ((flags & SPREAD) != 0) {
            bits[slot] |= HOUR_UNKNOWN;
            burstStartMs[slot] = 0;
            return;
        }
        curHourL[slot] = (int) Math.min(Integer.MAX_VALUE, curHourL[slot] + volumeL);
        burst(slot, startMs, endMs, volumeL, p, sink);
    }

    private void burst(int slot, long startMs, long endMs, long volumeL, LeakProfile p, DetectionSink sink) {
        long rate = volumeL * HOUR / (endMs - startMs);
        long threshold = p.burstQmaxLph();
        if (baselineDays[slot] >= p.baselineDays()) threshold = Math.min(threshold, (long) baselineL[slot] * p.burstFactor());
        if (rate <= threshold) {
            burstStartMs[slot] = 0;
            bits[slot] &= ~ACTIVE_BURST;
            return;
        }
        if (burstStartMs[slot] == 0) burstStartMs[slot] = startMs;
        if (endMs - burstStartMs[slot] >= p.burstMinutes() * 60_000L && (bits[slot] & ACTIVE_BURST) == 0) {
            bits[slot] |= ACTIVE_BURST;
            sink.detected(slot, LeakKind.BURST, endMs, burstStartMs[slot], rate);
        }
    }

    private void completeHour(int slot, int hour, LeakProfile p, DetectionSink sink) {
        boolean unknown = (bits[slot] & HOUR_UNKNOWN) != 0;
        int v = curHourL[slot];
        long endMs = (hour + 1L) * HOUR;
        if (p.continuousMinLph() > 0) {
            if (!unknown && v >= p.continuousMinLph()) {
                run[slot]++;
                if (run[slot] >= p.continuousHours() && (bits[slot] & ACTIVE_CONTINUOUS) == 0) {
                    bits[slot] |= ACTIVE_CONTINUOUS;
                    sink.detected(slot, LeakKind.CONTINUOUS_FLOW, endMs, endMs - run[slot] * HOUR, v);
                }
            } else {
                run[slot] = 0;
                bits[slot] &= ~ACTIVE_CONTINUOUS;
            }
        }
        long local = hour * HOUR + offsetMs;
        int localDay = (int) Math.floorDiv(local, 86_400_000L);
        int localHour = (int) (Math.floorMod(local, 86_400_000L) / HOUR);
        if (!unknown) {
            if (v > dayPeakL[slot]) dayPeakL[slot] = v;
        }
        if (localHour == 23) { // the day's peak hour feeds the baseline
            int peak = dayPeakL[slot];
            baselineL[slot] = baselineDays[slot] == 0 ? peak : baselineL[slot] + (peak - baselineL[slot]) / 8;
            if (baselineDays[slot] < 100) baselineDays[slot]++;
            dayPeakL[slot] = 0;
        }
        if (p.nightMinLph() > 0 && localHour >= p.nightStartHour() && localHour < p.nightEndHour()) {
            if (localHour == p.nightStartHour() || nightHours[slot] == 0) {
                nightMinL[slot] = Integer.MAX_VALUE;
                nightHours[slot] = 0;
                bits[slot] &= ~NIGHT_BROKEN;
            }
            if (unknown) bits[slot] |= NIGHT_BROKEN;
            nightMinL[slot] = Math.min(nightMinL[slot], v);
            nightHours[slot]++;
            if (localHour == p.nightEndHour() - 1) {
                boolean whole = nightHours[slot] == p.nightEndHour() - p.nightStartHour() && (bits[slot] & NIGHT_BROKEN) == 0;
                if (whole && nightMinL[slot] >= p.nightMinLph()) {
                    nightCount[slot] = (byte) (lastNightDay[slot] == localDay - 1
                            ? Math.min(100, nightCount[slot] + 1) : 1);
                    lastNightDay[slot] = localDay;
                    if (nightCount[slot] >= p.nights() && (bits[slot] & ACTIVE_NIGHT) == 0) {
                        bits[slot] |= ACTIVE_NIGHT;
                        long since = (long) (localDay - p.nights() + 1) * 86_400_000L + p.nightStartHour() * HOUR - offsetMs;
                        sink.detected(slot, LeakKind.NIGHT_FLOW, endMs, since, nightMinL[slot]);
                    }
                } else {
                    nightCount[slot] = 0;
                    bits[slot] &= ~ACTIVE_NIGHT;
                }
                nightHours[slot] = 0;
            }
        }
    }

    /** Bytes of per-meter state as allocated. */
    public long stateBytes() {
        return curHour.length * (4L * 7 + 8 + 4);
    }

    private void allocate(int n) {
        curHour = new int[n];
        Arrays.fill(curHour, NONE);
        curHourL = new int[n];
        run = new int[n];
        nightMinL = new int[n];
        lastNightDay = new int[n];
        Arrays.fill(lastNightDay, NONE);
        nightHours = new byte[n];
        nightCount = new byte[n];
        dayPeakL = new int[n];
        baselineL = new int[n];
        baselineDays = new byte[n];
        burstStartMs = new long[n];
        bits = new byte[n];
    }

    private void ensure(int slot) {
        if (slot < curHour.length) return;
        int n = Math.max(slot + 1, curHour.length * 2);
        int old = curHour.length;
        curHour = Arrays.copyOf(curHour, n);
        Arrays.fill(curHour, old, n, NONE);
        curHourL = Arrays.copyOf(curHourL, n);
        run = Arrays.copyOf(run, n);
        nightMinL = Arrays.copyOf(nightMinL, n);
        lastNightDay = Arrays.copyOf(lastNightDay, n);
        Arrays.fill(lastNightDay, old, n, NONE);
        nightHours = Arrays.copyOf(nightHours, n);
        nightCount = Arrays.copyOf(nightCount, n);
        dayPeakL = Arrays.copyOf(dayPeakL, n);
        baselineL = Arrays.copyOf(baselineL, n);
        baselineDays = Arrays.copyOf(baselineDays, n);
        burstStartMs = Arrays.copyOf(burstStartMs, n);
        bits = Arrays.copyOf(bits, n);
    }
}
