package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    /** One line being summed: its key (kind, meter, version, tier, tariff year) and what it has gathered. */
    private static final class Acc {
        final LineKind kind;
        final String meterId;
        final TariffVersion version;
        final int tier;
        final int year;
        final BigDecimal price;
        final long fromL;
        LocalDate first;
        LocalDate last;
        long volumeL;
        long toL;
        final List<String> sources = new ArrayList<>(2); // distinct, first-seen order (usually one)

        Acc(LineKind kind, String meterId, TariffVersion version, int tier, int year, LocalDate first, long fromL) {
            this.kind = kind;
            this.meterId = meterId;
            this.version = version;
            this.tier = tier;
            this.year = year;
            this.first = first;
            this.fromL = fromL;
            this.price = version.tiers().get(tier - 1).pricePerM3();
        }

        boolean is(LineKind k, String meter, TariffVersion v, int t, int y) {
            return kind == k && tier == t && year == y && version == v && meterId.equals(meter);
        }

        void add(VolumeItem item, long volume, long to) {
            if (last == null || item.lastDay().isAfter(last)) last = item.lastDay();
            if (item.firstDay().isBefore(first)) first = item.firstDay();
            volumeL += volume;
            toL = to;
            String s = item.source();
            if (!sources.contains(s)) sources.add(s);
        }
    }

    /**
     * What stays the same from one bill of a run to the next, kept by the caller (one per thread): the
     * fixed-charge lines of a period and tariff, and the tier texts of a version and variants. Not thread-safe.
     */
    public static final class Memo {
        private BillPeriod period;
        private final Map<Tariff, Map<Integer, List<BillLine>>> fixed = new IdentityHashMap<>();
        private final Map<TariffVersion, Map<List<String>, String[]>> tierTexts = new IdentityHashMap<>();

        List<BillLine> fixed(BillPeriod p, Tariff tariff, int linesBefore) {
            if (!p.equals(period)) {
                fixed.clear();
                period = p;
            }
            return fixed.computeIfAbsent(tariff, k -> new HashMap<>())
                    .computeIfAbsent(linesBefore, n -> List.copyOf(BillCalculator.fixed(p, tariff, n)));
        }

        String tierText(TariffVersion v, List<String> variants, int tier) {
            String[] texts = tierTexts.computeIfAbsent(v, k -> new HashMap<>())
                    .computeIfAbsent(variants, k -> new String[v.tiers().size() + 1]);
            if (texts[tier] == null) texts[tier] = BillCalculator.tierText(v, variants, tier);
            return texts[tier];
        }
    }

    private BillCalculator() {
    }

    public static List<BillLine> lines(Input in) {
        return lines(in, new Memo());
    }

    /**
     * {@link #lines(Input)} with the caller's {@link Memo}. Walks the items one by one as described above;
     * the version, tier bounds and tariff year of the previous item are reused while the days stay in them,
     * and a charge's tiers are walked without allocating pieces.
     */
    public static List<BillLine> lines(Input in, Memo memo) {
        Tariff tariff = in.tariff();
        List<VolumeItem> items = new ArrayList<>(in.items());
        items.sort(Comparator.comparing(VolumeItem::firstDay)); // stable: same-day items keep their order
        Map<Integer, Long> position = new HashMap<>(in.positionsL());
        List<Acc> lines = new ArrayList<>(4);
        List<TariffVersion> versions = tariff.versions();
        TariffVersion v = null;
        LocalDate vFrom = null;
        LocalDate vUntil = null; // exclusive; null: the newest version
        long[] bounds = null;
        Acc lastAcc = null;
        for (VolumeItem item : items) {
            LocalDate day = item.firstDay();
            if (v == null || day.isBefore(vFrom) || (vUntil != null && !day.isBefore(vUntil))) {
                v = tariff.requireVersionOn(day);
                vFrom = v.validFrom();
                vUntil = null;
                for (int i = versions.size() - 1; i >= 0 && versions.get(i) != v; i--) vUntil = versions.get(i).validFrom();
                bounds = v.bounds(in.variants());
            }
            int year = tariff.tariffYear(day);
            long pos = position.getOrDefault(year, 0L);
            long volume = item.volumeL();
            if (volume > 0) { // TierWalk.walk upwards, inline
                long lo = pos;
                long hi = pos + volume;
                for (int k = 0; k < bounds.length; k++) {
                    long from = Math.max(lo, k == 0 ? Long.MIN_VALUE : bounds[k - 1]);
                    long to = Math.min(hi, bounds[k]);
                    if (to > from) lastAcc = add(lines, lastAcc, item, v, k + 1, year, to - from, from, to);
                }
            } else {
                for (TierWalk.Piece p : TierWalk.walk(bounds, pos, volume)) {
                    lastAcc = add(lines, lastAcc, item, v, p.tier(), year, p.volumeL(), p.fromL(), p.toL());
                }
            }
            position.put(year, pos + volume);
        }
        List<BillLine> out = new ArrayList<>(lines.size() + 2);
        StringBuilder sb = new StringBuilder(256);
        for (Acc a : lines) {
            sb.setLength(0);
            for (int i = 0; i < a.sources.size(); i++) sb.append(i == 0 ? "" : "; ").append(a.sources.get(i));
            sb.append("; ").append(memo.tierText(a.version, in.variants(), a.tier)).append(" at ").append(a.price.toPlainString())
                    .append(" CNY/m3, tariff ").append(tariff.id()).append(" version from ").append(a.version.validFrom())
                    .append("; tariff year ").append(a.year).append(" position ");
            appendM3(sb, a.fromL).append(" -> ");
            appendM3(sb, a.toL).append(" m3");
            out.add(new BillLine(out.size() + 1, a.kind, a.meterId, a.first, a.last, a.version.validFrom(), a.tier, a.year,
                    a.volumeL, a.price, amount(a.volumeL, a.price), a.kind == LineKind.ESTIMATE, sb.toString()));
        }
        out.addAll(memo.fixed(in.period(), tariff, out.size()));
        return out;
    }

    /** Adds a tier piece to its line (the previous piece's line first, else by its key in first-seen order). */
    private static Acc add(List<Acc> lines, Acc last, VolumeItem item, TariffVersion v, int tier, int year, long volume,
                           long from, long to) {
        Acc a = last != null && last.is(item.kind(), item.meterId(), v, tier, year) ? last : null;
        for (int i = 0; a == null && i < lines.size(); i++) {
            if (lines.get(i).is(item.kind(), item.meterId(), v, tier, year)) a = lines.get(i);
        }
        if (a == null) {
            a = new Acc(item.kind(), item.meterId(), v, tier, year, item.firstDay(), from);
            lines.add(a);
        }
        a.add(item, volume, to);
        return a;
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
        return appendM3(new StringBuilder(16), litres).toString();
    }

    /** {@link #m3} appended: litres as m³ with three decimals, as {@code BigDecimal.valueOf(litres, 3).toPlainString()}. */
    static StringBuilder appendM3(StringBuilder sb, long litres) {
        if (litres == Long.MIN_VALUE) return sb.append(BigDecimal.valueOf(litres, 3).toPlainString());
        long abs = Math.abs(litres);
        long frac = abs % 1000;
        if (litres < 0) sb.append('-');
        sb.append(abs / 1000).append('.');
        if (frac < 100) sb.append('0');
        if (frac < 10) sb.append('0');
        return sb.append(frac);
    }
}
