package org.meterhub.engine.billing;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.meterhub.engine.estimation.Estimate;

/**
 * The facts one bill is made of, gathered from the store ({@link StoreUsage}) or written by hand
 * in tests, and turned into {@link VolumeItem}s by {@link #items(Tariff)}.
 *
 * <ul>
 *   <li>Measured: each meter's base daily consumption in the period (a meter exchanged inside the
 *       period appears twice: the old meter up to its final register, the new one from its first).
 *       For an estimated cycle only the days before the estimate's first day are measured; the
 *       estimate covers the rest.</li>
 *   <li>Estimate: this cycle's estimate, spread evenly over its days (last actual reading's day to
 *       the period's last day; the remainder litres go to the earliest days).</li>
 *   <li>True-up: the previous cycle's estimate, once this cycle is read: what is measured now
 *       for the estimate's days minus the estimate, per tariff version and tariff year.</li>
 *   <li>Corrections: per day, consumption in force (the late readings' correction records) minus
 *       the base consumption.</li>
 * </ul>
 */
public record AccountUsage(BillPeriod period, List<MeterDays> meters, Optional<EstimatePart> estimate,
                           Optional<TrueUpPart> trueUp, List<CorrectionDays> corrections) {

    /** A meter's base consumption per day in the period; {@code source} names the readings. */
    public record MeterDays(String meterId, NavigableMap<LocalDate, Long> dailyL, String source) {
        public MeterDays {
            Objects.requireNonNull(meterId, "meterId");
            dailyL = new TreeMap<>(dailyL);
            Objects.requireNonNull(source, "source");
        }
    }

    /** This cycle's estimate and the days it covers. */
    public record EstimatePart(Estimate estimate, LocalDate firstDay, LocalDate lastDay) {
        public EstimatePart {
            Objects.requireNonNull(estimate, "estimate");
            if (lastDay.isBefore(firstDay)) throw new IllegalArgumentException("estimate days out of order");
        }

        /** The estimate's litres per day: even, the remainder one litre each on the earliest days. */
        public NavigableMap<LocalDate, Long> shares() {
            int days = (int) ChronoUnit.DAYS.between(firstDay, lastDay.plusDays(1));
            long base = estimate.volumeL() / days;
            long rest = estimate.volumeL() % days;
            NavigableMap<LocalDate, Long> m = new TreeMap<>();
            for (int i = 0; i < days; i++) m.put(firstDay.plusDays(i), base + (i < rest ? 1 : 0));
            return m;
        }

        public String text() {
            return "estimate " + estimate.cycle() + " " + BillCalculator.m3(estimate.volumeL()) + " m3 for " + firstDay
                    + ".." + lastDay + " (" + estimate.method() + ": " + estimate.basis() + ")";
        }
    }

    /** The previous cycle's estimate and what the meter measured for its days, known now. */
    public record TrueUpPart(EstimatePart estimated, NavigableMap<LocalDate, Long> measuredL, String source) {
        public TrueUpPart {
            Objects.requireNonNull(estimated, "estimated");
            measuredL = new TreeMap<>(measuredL);
            Objects.requireNonNull(source, "source");
        }
    }

    /** Per day: consumption in force minus base consumption, from correction records. */
    public record CorrectionDays(String meterId, NavigableMap<LocalDate, Long> deltaL, String source) {
        public CorrectionDays {
            Objects.requireNonNull(meterId, "meterId");
            deltaL = new TreeMap<>(deltaL);
            Objects.requireNonNull(source, "source");
        }
    }

    public AccountUsage {
        Objects.requireNonNull(period, "period");
        meters = List.copyOf(meters);
        Objects.requireNonNull(estimate, "estimate");
        Objects.requireNonNull(trueUp, "trueUp");
        corrections = List.copyOf(corrections);
    }

    /** A usage line's explanation: the meter's daily consumption and the readings' span ({@code bill show}). */
    static String usageText(String meterId, String span) {
        return "meter " + meterId + " daily consumption, " + span;
    }

    /** The explanation of a meter's zero line when it had no consumption in the period. */
    static String noUsageText(String meterId, String span) {
        return "meter " + meterId + " no consumption in the period, " + span;
    }

    /** The volumes to price, in day order (same-day items: true-up, usage by meter, correction, estimate). */
    public List<VolumeItem> items(Tariff tariff) {
        List<VolumeItem> out = new ArrayList<>();
        trueUp.ifPresent(t -> out.addAll(trueUpItems(t, tariff)));
        LocalDate estimateFrom = estimate.map(EstimatePart::firstDay).orElse(null);
        String estimatedMeter = estimate.map(e -> e.estimate().meterId()).orElse(null);
        NavigableMap<LocalDate, Long> shares = estimate.map(EstimatePart::shares).orElse(new TreeMap<>());
        List<VolumeItem> dayItems = new ArrayList<>();
        LocalDate periodFirst = period.firstDay(); // once: each is worked out from the reading windows
        LocalDate periodLast = period.lastDay();
        for (MeterDays m : meters) {
            boolean any = false;
            String source = usageText(m.meterId(), m.source()); // one string: its hash is kept
            for (var e : m.dailyL().subMap(periodFirst, true, periodLast, true).entrySet()) {
                if (m.meterId().equals(estimatedMeter) && !e.getKey().isBefore(estimateFrom)) continue;
                if (e.getValue() == 0) continue;
                dayItems.add(VolumeItem.day(LineKind.USAGE, m.meterId(), e.getKey(), e.getValue(), source));
                any = true;
            }
            if (!any && !(m.meterId().equals(estimatedMeter) && !estimateFrom.isAfter(periodFirst))) {
                dayItems.add(VolumeItem.day(LineKind.USAGE, m.meterId(), periodFirst, 0, noUsageText(m.meterId(), m.source())));
            }
        }
        for (CorrectionDays c : corrections) {
            for (var e : c.deltaL().entrySet()) {
                if (e.getValue() != 0 && !e.getKey().isBefore(periodFirst) && !e.getKey().isAfter(periodLast)) {
                    dayItems.add(VolumeItem.day(LineKind.CORRECTION, c.meterId(), e.getKey(), e.getValue(), c.source()));
                }
            }
        }
        estimate.ifPresent(e -> shares.forEach((day, litres) ->
                dayItems.add(VolumeItem.day(LineKind.ESTIMATE, e.estimate().meterId(), day, litres, e.text()))));
        dayItems.sort(java.util.Comparator.comparing(VolumeItem::firstDay)); // stable
        out.addAll(dayItems);
        return out;
    }

    /** One item per stretch of days under one tariff version and tariff year: measured now − estimated. */
    static List<VolumeItem> trueUpItems(TrueUpPart t, Tariff tariff) {
        List<VolumeItem> out = new ArrayList<>();
        EstimatePart e = t.estimated();
        NavigableMap<LocalDate, Long> shares = e.shares();
        LocalDate segFirst = null;
        long measured = 0;
        long estimated = 0;
        LocalDate day = e.firstDay();
        while (!day.isAfter(e.lastDay())) {
            if (segFirst == null) segFirst = day;
            measured += t.measuredL().getOrDefault(day, 0L);
            estimated += shares.get(day);
            LocalDate next = day.plusDays(1);
            boolean end = next.isAfter(e.lastDay())
                    || !tariff.requireVersionOn(next).validFrom().equals(tariff.requireVersionOn(day).validFrom())
                    || tariff.tariffYear(next) != tariff.tariffYear(day);
            if (end) {
                out.add(new VolumeItem(LineKind.TRUE_UP, e.estimate().meterId(), segFirst, day, measured - estimated,
                        "true-up of the " + e.estimate().cycle() + " estimate for " + segFirst + ".." + day + ": measured "
                                + BillCalculator.m3(measured) + " m3 (" + t.source() + ") - estimated "
                                + BillCalculator.m3(estimated) + " m3"));
                segFirst = null;
                measured = 0;
                estimated = 0;
            }
            day = next;
        }
        return out;
    }
}
