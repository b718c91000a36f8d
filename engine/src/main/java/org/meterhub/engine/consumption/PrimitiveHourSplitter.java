package org.meterhub.engine.consumption;

import java.util.Arrays;

/**
 * {@link HourSplitter} on epoch milliseconds, without allocating per call: the streaming path.
 * Same rule: pieces in proportion to time, whole litres, largest remainder first (ties to the
 * earlier hour), so the pieces always add up to the volume.
 *
 * <p>Holds scratch arrays, so one instance per thread.
 */
public final class PrimitiveHourSplitter {
    static final long HOUR_MS = 3_600_000L;

    private long[] share = new long[64];
    private long[] rem = new long[64];

    public void split(int slot, long startMs, long endMs, long volumeL, int flags, IntervalSink sink) {
        long firstCut = Math.floorDiv(startMs, HOUR_MS) * HOUR_MS + HOUR_MS;
        if (firstCut >= endMs) {
            sink.interval(slot, startMs, endMs, volumeL, flags);
            return;
        }
        long lastCut = Math.floorDiv(endMs - 1, HOUR_MS) * HOUR_MS; // last hour start before end
        int pieces = (int) ((lastCut - firstCut) / HOUR_MS) + 2;
        if (share.length < pieces) {
            share = new long[Math.max(pieces, share.length * 2)];
            rem = new long[share.length];
        }
        long total = endMs - startMs;
        long assigned = 0;
        for (int i = 0; i < pieces; i++) {
            long a = i == 0 ? startMs : firstCut + (i - 1) * HOUR_MS;
            long b = i == pieces - 1 ? endMs : firstCut + i * HOUR_MS;
            long len = b - a;
            long q;
            long r;
            if (volumeL == 0) {
                q = 0;
                r = 0;
            } else if (Math.multiplyHigh(volumeL, len) == 0 && volumeL * len >= 0) {
                long p = volumeL * len;
                q = p / total;
                r = p % total;
            } else {
                java.math.BigInteger[] qr = java.math.BigInteger.valueOf(volumeL)
                        .multiply(java.math.BigInteger.valueOf(len))
                        .divideAndRemainder(java.math.BigInteger.valueOf(total));
                q = qr[0].longValueExact();
                r = qr[1].longValueExact();
            }
            share[i] = q;
            rem[i] = r;
            assigned += q;
        }
        long left = volumeL - assigned; // < pieces
        if (left > 0) distribute(pieces, left);
        for (int i = 0; i < pieces; i++) {
            long a = i == 0 ? startMs : firstCut + (i - 1) * HOUR_MS;
            long b = i == pieces - 1 ? endMs : firstCut + i * HOUR_MS;
            sink.interval(slot, a, b, share[i], flags);
        }
    }

    private void distribute(int pieces, long left) {
        if (pieces <= 64) {
            while (left-- > 0) {
                int best = 0;
                for (int i = 1; i < pieces; i++) {
                    if (rem[i] > rem[best]) best = i;
                }
                share[best]++;
                rem[best] = -1;
            }
            return;
        }
        Integer[] order = new Integer[pieces];
        for (int i = 0; i < pieces; i++) order[i] = i;
        long[] r = rem;
        Arrays.sort(order, (x, y) -> r[x] != r[y] ? Long.compare(r[y], r[x]) : Integer.compare(x, y));
        for (int k = 0; k < left; k++) share[order[k]]++;
    }
}
