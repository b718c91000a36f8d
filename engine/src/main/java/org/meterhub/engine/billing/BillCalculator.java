package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Prices an account's volumes for one bill period: walks the volume items in day order through
 * the tiers of the tariff version in force on each item's day, with the household's cumulative
 * position in the item's tariff year, then groups the pieces into lines (one per kind, meter,
 * version, tier and tariff year: a threshold crossed inside the cycle, or a price change inside
 * it, gives separate lines, each shown) and adds the fixed monthly charges, pro-rated by days
 * when a version changes inside the period. Amounts: volume in m³ × price, half-up to the fen,
 * per line. Pure: no store, no clock.
 */
public final class BillCalculator {

    /** What one bill is computed from. {@code positionsL}: litres already billed per tariff year, before this bill. */
    public record Input(BillPeriod period, Tariff tariff, List<String> variants, Map<Integer, Long> positionsL,
                        List<VolumeItem> items) {
        public Input {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(tariff, "tariff");
            variants = List.copyOf(variants);
            positionsL = Map.copyOf(positionsL);
            items = List.copyOf(items);
        }
    }

    private record Key(LineKind kind, String meterId, LocalDate version, int tier, int year) {
    }

    private static final class Acc {
        LocalDate first;
        LocalDate last;
        long volumeL;
        long fromL;
        long toL;
        BigDecimal price;
        final Set<String> sources = new LinkedHashSet<>();
    }

    private BillCalculator() {
    }

    public static List<BillLine> lines(Input in) {
        Tariff tariff = in.tariff();
        List<VolumeItem> items = new ArrayList<>(in.items());
        items.sort(Comparator.comparing(VolumeItem::firstDay)); // stable: same-day items keep their order
        Map<Integer, Long> position = new HashMap<>(in.positionsL());
        Map<Key, Acc> lines = new LinkedHashMap<>();
        for (VolumeItem item : items) {
            TariffVersion v = tariff.requireVersionOn(item.firstDay());
            int year = tariff.tariffYear(item.firstDay());
            long[] bounds = v.bounds(in.variants());
            long pos = position.getOrDefault(year, 0L);
            for (TierWalk.Piece p : TierWalk.walk(bounds, pos, item.volumeL())) {
                Key key = new Key(item.kind(), item.meterId(), v.validFrom(), p.tier(), year);
                Acc a = lines.get(key);
                if (a == null) {
                    a = new Acc();
                    a.first = item.firstDay();
                    a.fromL = p.fromL();
                    a.price = v.tiers().get(p.tier() - 1).pricePerM3();
                    lines.put(key, a);
                }
                a.last = a.last == null || item.lastDay().isAfter(a.last) ? item.lastDay() : a.last;
                if (item.firstDay().isBefore(a.first)) a.first = item.firstDay();
                a.volumeL += p.volumeL();
                a.toL = p.toL();
                a.sources.add(item.source());
            }
            position.put(year, pos + item.volumeL());
        }
        List<BillLine> out = new ArrayList<>();
        for (Map.Entry<Key, Acc> e : lines.entrySet()) {
            Key k = e.getKey();
            Acc a = e.getValue();
            TariffVersion v = tariff.requireVersionOn(k.version());
            String explanation = String.join("; ", a.sources) + "; " + tierText(v, in.variants(), k.tier()) + " at "
                    + a.price.toPlainString() + " CNY/m3, tariff " + tariff.id() + " version from " + k.version()
                    + "; tariff year " + k.year() + " position " + m3(a.fromL) + " -> " + m3(a.toL) + " m3";
            out.add(new BillLine(out.size() + 1, k.kind(), k.meterId(), a.first, a.last, k.version(), k.tier(), k.year(),
                    a.volumeL, a.price, amount(a.volumeL, a.price), k.kind() == LineKind.ESTIMATE, explanation));
        }
        out.addAll(fixed(in.period(), tariff, out.size()));
        return out;
    }

    /** Fixed monthly charges: the whole month under one version, else pro-rated by days per version. */
    static List<BillLine> fixed(BillPeriod period, Tariff tariff, int linesBefore) {
        List<BillLine> out = new ArrayList<>();
        int days = period.days();
        LocalDate day = period.firstDay();
        while (!day.isAfter(period.lastDay())) {
            TariffVersion v = tariff.requireVersionOn(day);
            LocalDate segEnd = period.lastDay();
            for (TariffVersion next : tariff.versions()) {
                if (next.validFrom().isAfter(day) && !next.validFrom().isAfter(period.lastDay())) {
                    segEnd = next.validFrom().minusDays(1);
                    break;
                }
            }
            int segDays = (int) ChronoUnit.DAYS.between(day, segEnd.plusDays(1));
            for (FixedCharge f : v.fixed()) {
                BigDecimal amount = f.monthly().multiply(BigDecimal.valueOf(segDays))
                        .divide(BigDecimal.valueOf(days), 2, RoundingMode.HALF_UP);
                String text = f.name() + ": " + f.monthly().toPlainString() + " CNY/month"
                        + (segDays == days ? "" : " x " + segDays + "/" + days + " days") + ", tariff " + tariff.id()
                        + " version from " + v.validFrom();
                out.add(new BillLine(linesBefore + out.size() + 1, LineKind.FIXED, null, day, segEnd, v.validFrom(),
                        null, null, 0, f.monthly(), amount, false, text));
            }
            day = segEnd.plusDays(1);
        }
        return out;
    }

    /** Volume (litres) × price per m³, half-up to the fen. */
    public static BigDecimal amount(long volumeL, BigDecimal pricePerM3) {
        return BigDecimal.valueOf(volumeL, 3).multiply(pricePerM3).setScale(2, RoundingMode.HALF_UP);
    }

    static String tierText(TariffVersion v, List<String> variants, int tier) {
        long[] b = v.bounds(variants);
        String range;
        if (b.length == 1) range = "flat";
        else if (tier == 1) range = "up to " + m3(b[0]) + " m3/year";
        else if (tier == b.length) range = "above " + m3(b[tier - 2]) + " m3/year";
        else range = m3(b[tier - 2]) + "-" + m3(b[tier - 1]) + " m3/year";
        return "tier " + tier + " (" + range + (variants.isEmpty() ? "" : ", " + String.join("+", variants)) + ")";
    }

    public static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }
}
