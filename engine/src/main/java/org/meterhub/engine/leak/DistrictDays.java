package org.meterhub.engine.leak;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * A district's days from the store's daily rollups: per utility day, the inlet meter(s) against
 * the customer meters, balanced by {@link NetworkBalance} (without memory). Shared by the balance
 * run (which raises alarms on streaks) and the accuracy monitor (which looks for under-registering
 * meters), so both judge the same days the same way.
 *
 * <p>A day on which any meter of the district has no daily rollup is not judged: a silent customer
 * meter would otherwise look like a loss of its whole consumption. Several inlets are summed and
 * taken at the worst accuracy among them. Meters without a recorded accuracy class count as
 * {@code defaultAccuracyPercent}.
 */
public final class DistrictDays {

    /** The days [from, to): each judged day's {@link NetworkBalance.DistrictDay} by day, and every meter's daily volumes. */
    public record Window(String districtId, List<MeterProfile> inlets, List<MeterProfile> customers, List<DistrictBalanceRun.Day> days,
                         Map<LocalDate, NetworkBalance.DistrictDay> judged, Map<String, Map<LocalDate, Long>> daily) {
        public Window {
            inlets = List.copyOf(inlets);
            customers = List.copyOf(customers);
            days = List.copyOf(days);
            judged = Map.copyOf(judged);
            daily = Map.copyOf(daily);
        }
    }

    private final TimeSeriesStore store;
    private final NetworkBalance balance;
    private final BigDecimal defaultAccuracyPercent;

    public DistrictDays(TimeSeriesStore store, NetworkBalance balance, BigDecimal defaultAccuracyPercent) {
        this.store = Objects.requireNonNull(store, "store");
        this.balance = Objects.requireNonNull(balance, "balance");
        this.defaultAccuracyPercent = Objects.requireNonNull(defaultAccuracyPercent, "defaultAccuracyPercent");
    }

    /** Days [from, to) in {@code zone} (which must be the store's rollup zone for whole daily buckets). */
    public Window days(String districtId, LocalDate from, LocalDate to, ZoneId zone) {
        Objects.requireNonNull(districtId, "districtId");
        long span = ChronoUnit.DAYS.between(from, to);
        if (span <= 0 || span > DistrictBalanceRun.MAX_DAYS) {
            throw new IllegalArgumentException("the range must hold 1 to " + DistrictBalanceRun.MAX_DAYS + " days, got " + span);
        }
        List<MeterProfile> meters = store.profiles(districtId);
        List<MeterProfile> inlets = meters.stream().filter(p -> p.role() == MeterRole.DISTRICT_INLET).toList();
        List<MeterProfile> customers = meters.stream().filter(p -> p.role() == MeterRole.CUSTOMER).toList();
        if (inlets.isEmpty()) {
            throw new IllegalArgumentException("district " + districtId + " has no meter with role district_inlet");
        }
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = to.atStartOfDay(zone).toInstant();
        Map<String, Map<LocalDate, Long>> daily = new HashMap<>();
        for (MeterProfile p : meters) {
            Map<LocalDate, Long> byDay = new HashMap<>();
            for (RollupRow r : store.rollup(Step.DAY, p.meterId(), start, end)) {
                byDay.merge(LocalDate.ofInstant(r.bucket(), zone), r.volumeL(), Long::sum);
            }
            daily.put(p.meterId(), byDay);
        }
        BigDecimal inletAccuracy = inlets.stream().map(this::accuracy).reduce(BigDecimal.ZERO, BigDecimal::max);
        List<DistrictBalanceRun.Day> days = new ArrayList<>();
        Map<LocalDate, NetworkBalance.DistrictDay> judged = new HashMap<>();
        for (LocalDate day = from; day.isBefore(to); day = day.plusDays(1)) {
            LocalDate d = day;
            List<String> missing = meters.stream().map(MeterProfile::meterId)
                    .filter(id -> !daily.get(id).containsKey(d)).sorted().toList();
            if (!missing.isEmpty()) {
                days.add(new DistrictBalanceRun.Day(d, Optional.empty(), missing));
                continue;
            }
            long supply = inlets.stream().mapToLong(p -> daily.get(p.meterId()).get(d)).sum();
            List<NetworkBalance.MeterVolume> out = customers.stream()
                    .map(p -> new NetworkBalance.MeterVolume(daily.get(p.meterId()).get(d), accuracy(p))).toList();
            NetworkBalance.DistrictDay dd = new NetworkBalance.DistrictDay(districtId, d,
                    new NetworkBalance.MeterVolume(supply, inletAccuracy), out);
            judged.put(d, dd);
            days.add(new DistrictBalanceRun.Day(d, Optional.of(balance.balance(dd)), List.of()));
        }
        return new Window(districtId, inlets, customers, days, judged, daily);
    }

    /** The meter's accuracy class in percent as on its profile, or the default when none (or no usable one) is recorded. */
    public BigDecimal accuracy(MeterProfile p) {
        String text = p.accuracyClass();
        if (text == null || text.isBlank()) return defaultAccuracyPercent;
        try {
            BigDecimal a = new BigDecimal(text.strip());
            return a.signum() > 0 ? a : defaultAccuracyPercent;
        } catch (NumberFormatException e) {
            return defaultAccuracyPercent;
        }
    }
}
