package org.meterhub.engine.evc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The running conversion check of electronic volume converters: each converter's polls, in time order,
 * are cut into windows of at least {@link EvcCheck.Settings#minLineVolumeL()} line volume, and each window's
 * base-volume increase is judged against the one recomputed from its line-volume increase.
 *
 * <p>Between two polls the converter integrated continuously, but the gateway saw p and T only at the two
 * ends; the expected base volume of that step uses their means (the trapezoid rule), which is exact for
 * steady conditions and close while line conditions change slowly against the poll interval. A window
 * sums its steps' volumes and expected volumes, so a window of several polls is judged as one.
 *
 * <p>A window starts again, unjudged, when a register goes down (rollover, exchange) or a reading of the
 * converter comes without converter values. Readings at or before the latest one seen are left out
 * (they were judged, or are late; the samples are still stored). Not thread-safe: the ingest writer owns it.
 */
public final class EvcMonitor {

    /**
     * A judged window.
     *
     * @param lineL    Vm increase, litres
     * @param baseL    Vb increase the converter reported, litres
     * @param result   the check: expected (computed) base volume, deviation, verdict
     * @param minP     lowest line pressure seen in the window (kPa); {@code maxP} the highest
     * @param minT     lowest line temperature seen in the window (°C); {@code maxT} the highest
     */
    public record Window(String meterId, Instant from, Instant to, long lineL, long baseL, EvcCheck.Result result,
                         BigDecimal minP, BigDecimal maxP, BigDecimal minT, BigDecimal maxT) {

        public boolean conversionError() {
            return result.conversionError();
        }

        /** The numbers an operator needs, in one line. */
        public String describe(EvcCheck.Settings s) {
            return "reported base volume Vb " + m3(baseL) + " m³, computed Vm·(p/pb)·(Tb/T) "
                    + result.expectedBaseM3().setScale(3, RoundingMode.HALF_UP).toPlainString() + " m³ from measured Vm "
                    + m3(lineL) + " m³ at p " + range(minP, maxP) + " kPa, T " + range(minT, maxT) + " °C: deviation "
                    + (result.deviationPercent().signum() > 0 ? "+" : "") + result.deviationPercent().toPlainString() + " %"
                    + (result.conversionError() ? ", beyond ±" : ", within ±") + s.tolerancePercent().toPlainString()
                    + " % (pb " + s.basePressureKpa().toPlainString() + " kPa, Tb "
                    + s.baseTemperatureCelsius().stripTrailingZeros().toPlainString() + " °C; " + from + " to " + to + ")";
        }

        private static String m3(long litres) {
            return BigDecimal.valueOf(litres, 3).toPlainString();
        }

        private static String range(BigDecimal lo, BigDecimal hi) {
            return lo.compareTo(hi) == 0 ? lo.toPlainString() : lo.toPlainString() + ".." + hi.toPlainString();
        }
    }

    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal ABSOLUTE_ZERO_C = new BigDecimal("-273.15");

    private static boolean physical(EvcSample s) {
        return s.pressureKpa().signum() > 0 && s.temperatureC().compareTo(ABSOLUTE_ZERO_C) > 0;
    }

    /** The latest sample of a converter and the window that runs up to it. */
    private static final class State {
        EvcSample last;
        Instant from;
        long lineL;
        long baseL;
        BigDecimal expectedM3 = BigDecimal.ZERO;
        BigDecimal minP;
        BigDecimal maxP;
        BigDecimal minT;
        BigDecimal maxT;

        State(EvcSample start) {
            restart(start);
        }

        void restart(EvcSample s) {
            last = s;
            from = s.time();
            lineL = 0;
            baseL = 0;
            expectedM3 = BigDecimal.ZERO;
            minP = maxP = s.pressureKpa();
            minT = maxT = s.temperatureC();
        }

        void see(EvcSample s) {
            minP = minP.min(s.pressureKpa());
            maxP = maxP.max(s.pressureKpa());
            minT = minT.min(s.temperatureC());
            maxT = maxT.max(s.temperatureC());
        }
    }

    private final EvcCheck check;
    private final BiFunction<String, Instant, Optional<EvcSample>> resumeFrom;
    private final Map<String, State> states = new HashMap<>();

    /**
     * @param resumeFrom a converter's latest stored sample before a time: where its check resumes when this
     *                   monitor first sees it (e.g. after a restart); empty to start with the first reading
     */
    public EvcMonitor(EvcCheck check, BiFunction<String, Instant, Optional<EvcSample>> resumeFrom) {
        this.check = Objects.requireNonNull(check, "check");
        this.resumeFrom = Objects.requireNonNull(resumeFrom, "resumeFrom");
    }

    public EvcCheck.Settings settings() {
        return check.settings();
    }

    /** Whether the meter has a window running (a reading of it without converter values then ends that). */
    public boolean tracks(String meterId) {
        return states.containsKey(meterId);
    }

    /** A reading of a tracked converter came without converter values: its window is dropped. */
    public void interrupted(String meterId) {
        states.remove(meterId);
    }

    /** Takes one converter poll; returns the window it completes, judged, if it completes one. */
    public Optional<Window> onSample(EvcSample s) {
        if (!physical(s)) {
            // a failed sensor (e.g. pressure 0): nothing to recompute with; the next good poll starts again
            states.remove(s.meterId());
            return Optional.empty();
        }
        State st = states.get(s.meterId());
        if (st == null) {
            Optional<EvcSample> before = resumeFrom.apply(s.meterId(), s.time()).filter(EvcMonitor::physical);
            st = new State(before.orElse(s));
            states.put(s.meterId(), st);
            if (before.isEmpty()) return Optional.empty();
        }
        EvcSample prev = st.last;
        if (!s.time().isAfter(prev.time())) return Optional.empty();
        long dLine = s.unconvertedL() - prev.unconvertedL();
        long dBase = s.baseL() - prev.baseL();
        if (dLine < 0 || dBase < 0) {
            st.restart(s);
            return Optional.empty();
        }
        BigDecimal p = prev.pressureKpa().add(s.pressureKpa()).divide(TWO);
        BigDecimal t = prev.temperatureC().add(s.temperatureC()).divide(TWO);
        st.expectedM3 = st.expectedM3.add(check.expectedBaseM3(BigDecimal.valueOf(dLine, 3), p, t));
        st.lineL += dLine;
        st.baseL += dBase;
        st.see(s);
        st.last = s;
        long min = check.settings().minLineVolumeL();
        if (st.lineL < min && st.baseL < min) return Optional.empty();
        EvcCheck.Result r = check.judge(BigDecimal.valueOf(st.baseL, 3), st.expectedM3);
        Window w = new Window(s.meterId(), st.from, s.time(), st.lineL, st.baseL, r, st.minP, st.maxP, st.minT, st.maxT);
        st.restart(s);
        return Optional.of(w);
    }
}
