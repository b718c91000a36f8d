package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.billing.BillCalculator;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * In-service monitoring: meters that look wrong while in use, each with its evidence
 * (docs/accuracy.md). Three kinds:
 * <ul>
 * <li>{@code STOPPED_REGISTERING}: a meter whose account is supplied (ignited), read at least twice in
 * the window with the register unchanged, after using gas in the window of the same length before.
 * Such a meter is replaced by a new one (seed).</li>
 * <li>{@code DISTRICT_RESIDUAL}: its district lost more than the combined uncertainty band over the
 * window and on at least {@link MonitoringRules#districtMinDays()} days of it; the district's largest
 * customer meters are listed, since under-registration hides a share of the residual proportional to
 * the volume a meter passes — with the error each would need to hide the whole residual alone.</li>
 * <li>{@code CHECK_METER}: a meter differing from the check meter in series with it by more than the
 * check limit over the days both have data.</li>
 * </ul>
 */
public final class InServiceMonitor {
    private final TimeSeriesStore store;

    public record Suspect(String meterId, String accountId, String kind, String evidence) {
    }

    public InServiceMonitor(TimeSeriesStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Meters that stopped registering over the days {@code first..last} (no district or check-meter settings). */
    public List<Suspect> suspects(LocalDate first, LocalDate last) {
        return suspects(first, last, AccuracyRules.DEFAULTS, MonitoringRules.DEFAULTS);
    }

    /** Every kind of suspect over the days {@code first..last} (the store's rollup zone). */
    public List<Suspect> suspects(LocalDate first, LocalDate last, AccuracyRules accuracy, MonitoringRules monitoring) {
        List<Suspect> out = new ArrayList<>(stopped(first, last));
        Map<String, String> accountOf = new HashMap<>();
        for (Account a : store.accounts(null)) {
            if (a.meterId() != null) accountOf.put(a.meterId(), a.accountId());
        }
        out.addAll(new DistrictResiduals(store, accuracy.upperZoneLimitPercent(), monitoring).suspects(first, last, accountOf));
        out.addAll(checkMeters(first, last, accuracy, monitoring, accountOf));
        return out;
    }

    /** A meter against the check meter in series with it, over the days both have a daily volume. */
    private List<Suspect> checkMeters(LocalDate first, LocalDate last, AccuracyRules accuracy, MonitoringRules monitoring,
                                      Map<String, String> accountOf) {
        ZoneId zone = store.rollupZone();
        Instant from = first.atStartOfDay(zone).toInstant();
        Instant to = last.plusDays(1).atStartOfDay(zone).toInstant();
        BigDecimal limit = monitoring.checkLimit(accuracy);
        List<Suspect> out = new ArrayList<>();
        for (Map.Entry<String, String> e : monitoring.checkMeters().entrySet()) {
            Map<LocalDate, Long> check = daily(e.getKey(), from, to, zone);
            Map<LocalDate, Long> meter = daily(e.getValue(), from, to, zone);
            long days = check.keySet().stream().filter(meter::containsKey).count();
            long vc = check.entrySet().stream().filter(d -> meter.containsKey(d.getKey())).mapToLong(Map.Entry::getValue).sum();
            long vm = meter.entrySet().stream().filter(d -> check.containsKey(d.getKey())).mapToLong(Map.Entry::getValue).sum();
            if (days == 0 || vc <= 0) continue;
            BigDecimal diff = BigDecimal.valueOf(vm - vc).multiply(BigDecimal.valueOf(100)).divide(BigDecimal.valueOf(vc), 3, RoundingMode.HALF_UP);
            if (diff.abs().compareTo(limit) <= 0) continue;
            out.add(new Suspect(e.getValue(), accountOf.get(e.getValue()), "CHECK_METER", "metered " + BillCalculator.m3(vm) + " m3 against "
                    + BillCalculator.m3(vc) + " m3 on check meter " + e.getKey() + " in series, over " + days + " days with both in "
                    + first + ".." + last + ": " + AccuracyVerdict.signed(diff) + " %, beyond ±" + limit.stripTrailingZeros().toPlainString()
                    + " %: " + (diff.signum() < 0 ? "under" : "over") + "-registers"));
        }
        return out;
    }

    private Map<LocalDate, Long> daily(String meterId, Instant from, Instant to, ZoneId zone) {
        Map<LocalDate, Long> out = new HashMap<>();
        for (RollupRow r : store.rollup(Step.DAY, meterId, from, to)) out.merge(LocalDate.ofInstant(r.bucket(), zone), r.volumeL(), Long::sum);
        return out;
    }

    private List<Suspect> stopped(LocalDate first, LocalDate last) {
        if (last.isBefore(first)) throw new AccuracyException("--to " + last + " is before --from " + first);
        ZoneId zone = store.rollupZone();
        long days = ChronoUnit.DAYS.between(first, last) + 1;
        Instant from = first.atStartOfDay(zone).toInstant();
        Instant to = last.plusDays(1).atStartOfDay(zone).toInstant();
        LocalDate beforeFirst = first.minusDays(days);
        Instant before = beforeFirst.atStartOfDay(zone).toInstant();
        List<Suspect> out = new ArrayList<>();
        for (Account a : store.accounts(AccountState.IGNITED)) {
            if (a.meterId() == null) continue;
            List<Reading> rs = store.readings(a.meterId(), from, to);
            if (rs.size() < 2) continue;
            Reading r0 = rs.get(0);
            Reading r1 = rs.get(rs.size() - 1);
            if (r0.volumeL() != r1.volumeL()) continue;
            long used = store.rollup(Step.DAY, a.meterId(), before, from).stream().mapToLong(RollupRow::volumeL).sum();
            if (used <= 0) continue;
            out.add(new Suspect(a.meterId(), a.accountId(), "STOPPED_REGISTERING", "register " + BillCalculator.m3(r0.volumeL())
                    + " m3 unchanged over " + first + ".." + last + " (" + rs.size() + " readings) while the account is supplied; "
                    + BillCalculator.m3(used) + " m3 used in " + beforeFirst + ".." + first.minusDays(1)));
        }
        return out;
    }
}
