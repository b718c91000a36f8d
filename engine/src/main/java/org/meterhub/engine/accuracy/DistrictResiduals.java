package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.meterhub.engine.billing.BillCalculator;
import org.meterhub.engine.leak.DistrictDays;
import org.meterhub.engine.leak.NetworkBalance;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * District-balance residuals as accuracy evidence: a district whose supply exceeded its customer
 * meters by more than the combined uncertainty band, over the window and on at least
 * {@code district-min-days} judged days, points to its customer meters. A meter under-registering by
 * an error e hides metered × (−e) / (1 + e), so the share of the residual a drifting meter can hide
 * grows with its volume: the district's meters are ranked by their share of the customers' volume,
 * and each is shown with the error it would need to hide the whole residual alone,
 * −residual / (metered + residual), against its class limit. A leak or theft looks the same from the
 * balance; the evidence says which meters to test first, not that they are wrong.
 */
final class DistrictResiduals {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final TimeSeriesStore store;
    private final DistrictDays districts;
    private final MonitoringRules rules;

    DistrictResiduals(TimeSeriesStore store, BigDecimal classLimitPercent, MonitoringRules rules) {
        this.store = Objects.requireNonNull(store, "store");
        this.rules = Objects.requireNonNull(rules, "rules");
        // Root-sum-square, as the district balance judges its days by default.
        this.districts = new DistrictDays(store, NetworkBalance.defaults(), classLimitPercent);
    }

    List<InServiceMonitor.Suspect> suspects(LocalDate first, LocalDate last, Map<String, String> accountOf) {
        TreeSet<String> withInlet = new TreeSet<>();
        for (MeterProfile p : store.profiles(null)) {
            if (p.districtId() != null && p.role() == MeterRole.DISTRICT_INLET) withInlet.add(p.districtId());
        }
        List<InServiceMonitor.Suspect> out = new ArrayList<>();
        for (String district : withInlet) out.addAll(district(district, first, last, accountOf));
        return out;
    }

    private List<InServiceMonitor.Suspect> district(String district, LocalDate first, LocalDate last, Map<String, String> accountOf) {
        DistrictDays.Window w = districts.days(district, first, last.plusDays(1), store.rollupZone());
        List<NetworkBalance.DayBalance> judged = w.days().stream().flatMap(d -> d.balance().stream()).toList();
        long residual = judged.stream().mapToLong(NetworkBalance.DayBalance::imbalanceL).sum();
        long band = judged.stream().mapToLong(NetworkBalance.DayBalance::uncertaintyL).sum();
        long over = judged.stream().filter(NetworkBalance.DayBalance::exceeds).count();
        if (judged.isEmpty() || over < rules.districtMinDays() || residual <= band) return List.of();
        record Share(MeterProfile meter, long volumeL) {
        }
        List<Share> shares = w.customers().stream()
                .map(p -> new Share(p, w.judged().keySet().stream().mapToLong(d -> w.daily().get(p.meterId()).get(d)).sum()))
                .filter(s -> s.volumeL() > 0)
                .sorted(Comparator.comparingLong(Share::volumeL).reversed().thenComparing(s -> s.meter().meterId())).toList();
        long total = shares.stream().mapToLong(Share::volumeL).sum();
        String common = "district " + district + ": supply exceeded the customer meters by " + BillCalculator.m3(residual) + " m3 over "
                + judged.size() + " judged days in " + first + ".." + last + " (" + over + " beyond the band), uncertainty band "
                + BillCalculator.m3(band) + " m3; ";
        List<InServiceMonitor.Suspect> out = new ArrayList<>();
        for (int i = 0; i < Math.min(rules.districtTop(), shares.size()); i++) {
            Share s = shares.get(i);
            BigDecimal share = BigDecimal.valueOf(s.volumeL()).multiply(HUNDRED).divide(BigDecimal.valueOf(total), 1, RoundingMode.HALF_UP);
            BigDecimal needed = BigDecimal.valueOf(-residual).multiply(HUNDRED).divide(BigDecimal.valueOf(s.volumeL() + residual), 3, RoundingMode.HALF_UP);
            out.add(new InServiceMonitor.Suspect(s.meter().meterId(), accountOf.get(s.meter().meterId()), "DISTRICT_RESIDUAL", common
                    + "rank " + (i + 1) + ": metered " + BillCalculator.m3(s.volumeL()) + " m3, " + share.toPlainString()
                    + " % of the customers' volume; alone it would have to register " + needed.toPlainString() + " % (class limit ±"
                    + districts.accuracy(s.meter()).stripTrailingZeros().toPlainString() + " %) to hide the whole residual"));
        }
        return out;
    }
}
