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
import java.util.OptionalLong;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Feeds {@link NetworkBalance} from the store: per utility day, the district's inlet meter(s)
 * against the sum of its customer meters, from the daily rollups; a finding raises a
 * {@link AlarmKind#NETWORK_IMBALANCE} alarm on {@code district:<id>} through {@link AlarmService}
 * (one open alarm per district, so running again over the same days raises nothing new).
 *
 * <p>A day on which any meter of the district has no daily rollup is not judged: a silent
 * customer meter would otherwise look like a leak of its whole consumption. It also breaks a
 * streak, so the range must hold the streak's days (run it over the last week, not one day).
 * Several inlets are summed and taken at the worst accuracy among them. Meters without a recorded
 * accuracy class count as {@code defaultAccuracyPercent} (1.5, the residential gas class).
 */
public final class DistrictBalanceRun {

    public static final int MAX_DAYS = 366;

    /** One utility day: its balance, or why it was not judged. */
    public record Day(LocalDate day, Optional<NetworkBalance.DayBalance> balance, List<String> metersWithoutData) {
        public Day {
            Objects.requireNonNull(day, "day");
            Objects.requireNonNull(balance, "balance");
            metersWithoutData = List.copyOf(metersWithoutData);
        }
    }

    public record Result(String districtId, int inlets, int customers, List<Day> days,
                         List<NetworkBalance.Finding> findings, List<Alarm> alarms) {
        public Result {
            days = List.copyOf(days);
            findings = List.copyOf(findings);
            alarms = List.copyOf(alarms);
        }
    }

    private final TimeSeriesStore store;
    private final NetworkBalance balance;
    private final AlarmService alarms;
    private final BigDecimal defaultAccuracyPercent;

    public DistrictBalanceRun(TimeSeriesStore store, NetworkBalance balance, AlarmService alarms, BigDecimal defaultAccuracyPercent) {
        this.store = Objects.requireNonNull(store, "store");
        this.balance = Objects.requireNonNull(balance, "balance");
        this.alarms = Objects.requireNonNull(alarms, "alarms");
        this.defaultAccuracyPercent = Objects.requireNonNull(defaultAccuracyPercent, "defaultAccuracyPercent");
    }

    /** Days [from, to) in {@code zone} (which must be the store's rollup zone for whole daily buckets). */
    public Result run(String districtId, LocalDate from, LocalDate to, ZoneId zone) {
        Objects.requireNonNull(districtId, "districtId");
        long span = ChronoUnit.DAYS.between(from, to);
        if (span <= 0 || span > MAX_DAYS) {
            throw new IllegalArgumentException("the range must hold 1 to " + MAX_DAYS + " days, got " + span);
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
        List<Day> days = new ArrayList<>();
        List<NetworkBalance.Finding> findings = new ArrayList<>();
        List<Alarm> raised = new ArrayList<>();
        for (LocalDate day = from; day.isBefore(to); day = day.plusDays(1)) {
            LocalDate d = day;
            List<String> missing = meters.stream().map(MeterProfile::meterId)
                    .filter(id -> !daily.get(id).containsKey(d)).sorted().toList();
            if (!missing.isEmpty()) {
                days.add(new Day(d, Optional.empty(), missing));
                continue;
            }
            long supply = inlets.stream().mapToLong(p -> daily.get(p.meterId()).get(d)).sum();
            List<NetworkBalance.MeterVolume> out = customers.stream()
                    .map(p -> new NetworkBalance.MeterVolume(daily.get(p.meterId()).get(d), accuracy(p))).toList();
            NetworkBalance.DistrictDay dd = new NetworkBalance.DistrictDay(districtId, d,
                    new NetworkBalance.MeterVolume(supply, inletAccuracy), out);
            days.add(new Day(d, Optional.of(balance.balance(dd)), List.of()));
            Optional<NetworkBalance.Finding> f = balance.accept(dd);
            if (f.isPresent()) {
                findings.add(f.get());
                raised.add(alarms.raise(AlarmKind.NETWORK_IMBALANCE, JdbcAlarmRepository.DISTRICT_PREFIX + districtId,
                        f.get().reason(), OptionalLong.of(f.get().volumeLostL()), d.plusDays(1).atStartOfDay(zone).toInstant()));
            }
        }
        return new Result(districtId, inlets.size(), customers.size(), days, findings, raised);
    }

    private BigDecimal accuracy(MeterProfile p) {
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
