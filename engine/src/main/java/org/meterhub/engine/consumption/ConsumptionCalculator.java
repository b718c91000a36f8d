package org.meterhub.engine.consumption;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;

/**
 * Turns each meter's cumulative register readings into consumption intervals.
 *
 * <p>Single-threaded by design: one ingest thread owns it, so per-meter state needs no locks.
 * The state per meter is the last register value and its time; it is seeded on first sight of a
 * meter from the store (last reading, else the commissioning base reading).
 */
public final class ConsumptionCalculator {

    /** What the calculator needs to know about a meter it has not seen since start. */
    public record Baseline(Instant time, long volumeL, long registerCapacityL) {
    }

    private static final class State {
        Instant time;
        long volumeL;
        final long capacityL;

        State(Instant time, long volumeL, long capacityL) {
            this.time = time;
            this.volumeL = volumeL;
            this.capacityL = capacityL;
        }
    }

    private final ConsumptionSettings settings;
    private final Function<String, Optional<Baseline>> baselines;
    private final Map<String, State> states = new HashMap<>();

    public ConsumptionCalculator(ConsumptionSettings settings, Function<String, Optional<Baseline>> baselines) {
        this.settings = settings;
        this.baselines = baselines;
    }

    public static Optional<Baseline> baselineOf(MeterInfo meter) {
        return Optional.of(new Baseline(meter.baseTime(), meter.baseReadingL(), meter.registerCapacityL()));
    }

    /**
     * Consumption since the meter's previous reading. A reading at or before the last one
     * yields nothing here (duplicates and late arrivals are kept as readings; re-ordering them
     * into intervals is the late-reading correction's job).
     */
    public List<ConsumptionInterval> accept(Reading reading) {
        State state = states.get(reading.meterId());
        if (state == null) {
            Optional<Baseline> base = baselines.apply(reading.meterId());
            if (base.isEmpty() || !base.get().time().isBefore(reading.time())) {
                long capacity = base.map(Baseline::registerCapacityL).orElse(MeterInfo.CJT188_CAPACITY_L);
                states.put(reading.meterId(), new State(reading.time(), reading.volumeL(), capacity));
                return List.of();
            }
            state = new State(base.get().time(), base.get().volumeL(), base.get().registerCapacityL());
            states.put(reading.meterId(), state);
        }
        if (!reading.time().isAfter(state.time)) {
            return List.of();
        }
        EnumSet<IntervalFlag> flags = EnumSet.noneOf(IntervalFlag.class);
        long delta = reading.volumeL() - state.volumeL;
        if (delta < 0) {
            long wrapped = state.capacityL - state.volumeL + reading.volumeL();
            // A wrap is only plausible from near the top of the register; anything else went backwards.
            if (state.volumeL > state.capacityL * 9 / 10 && reading.volumeL() < state.capacityL / 10) {
                delta = wrapped;
                flags.add(IntervalFlag.ROLLOVER);
            } else {
                delta = 0;
                flags.add(IntervalFlag.REGISTER_DECREASE);
            }
        }
        if (Duration.between(state.time, reading.time()).compareTo(settings.spreadAfter()) > 0) {
            flags.add(IntervalFlag.SPREAD);
        }
        Instant start = state.time;
        state.time = reading.time();
        state.volumeL = reading.volumeL();
        return HourSplitter.split(reading.meterId(), start, reading.time(), delta, flags);
    }

    public int trackedMeters() {
        return states.size();
    }
}
