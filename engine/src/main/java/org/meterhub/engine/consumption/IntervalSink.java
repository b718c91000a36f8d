package org.meterhub.engine.consumption;

/**
 * Receives consumption intervals without an object per interval: the streaming path of
 * {@link ConsumptionCalculator}. {@code flags} is a bit set of {@link IntervalFlag} ordinals.
 */
@FunctionalInterface
public interface IntervalSink {
    void interval(int slot, long startMs, long endMs, long volumeL, int flags);

    static int bit(IntervalFlag flag) {
        return 1 << flag.ordinal();
    }

    static boolean has(int flags, IntervalFlag flag) {
        return (flags & bit(flag)) != 0;
    }
}
