package org.meterhub.engine.leak;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Feeds {@link NetworkBalance} from the store (the days themselves from {@link DistrictDays}): per utility day, the district's inlet meter(s)
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
        DistrictDays.Window w = new DistrictDays(store, balance, defaultAccuracyPercent).days(districtId, from, to, zone);
        List<NetworkBalance.Finding> findings = new ArrayList<>();
        List<Alarm> raised = new ArrayList<>();
        for (Day day : w.days()) {
            NetworkBalance.DistrictDay dd = w.judged().get(day.day());
            if (dd == null) continue;
            Optional<NetworkBalance.Finding> f = balance.accept(dd);
            if (f.isPresent()) {
                findings.add(f.get());
                raised.add(alarms.raise(AlarmKind.NETWORK_IMBALANCE, JdbcAlarmRepository.DISTRICT_PREFIX + districtId,
                        f.get().reason(), OptionalLong.of(f.get().volumeLostL()), day.day().plusDays(1).atStartOfDay(zone).toInstant()));
            }
        }
        return new Result(districtId, w.inlets().size(), w.customers().size(), w.days(), findings, raised);
    }
}
