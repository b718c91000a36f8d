package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.CustomerClass;

/**
 * The pricing walk of {@link BillCalculator#lines} was rewritten for speed (issue 14: no record key,
 * hash or piece list per day item). This checks it against the walk it replaced, kept here as written
 * before, on random bills: charges and credits, several meters and kinds, a price change and a tariff
 * year boundary inside the period, variants, and one memo reused across bills as a bill run does.
 */
class BillCalculatorEquivalenceTest {
    private static final BillPeriod PERIOD = new BillPeriod(YearMonth.of(2026, 11), ZoneId.of("Asia/Shanghai"));

    @Test
    void theFastWalkGivesTheLinesOfTheWalkItReplaced() {
        Random r = new Random(14);
        BillCalculator.Memo memo = new BillCalculator.Memo();
        int crossed = 0;
        int credits = 0;
        for (int n = 0; n < 1500; n++) {
            Tariff t = n % 2 == 0 ? tariff(MonthDay.of(1, 1)) : tariff(MonthDay.of(11, 1));
            List<String> variants = switch (n % 4) {
                case 0 -> List.of();
                case 1 -> List.of("boiler");
                case 2 -> List.of("large-household");
                default -> List.of("boiler", "large-household");
            };
            Map<Integer, Long> positions = new HashMap<>();
            if (r.nextBoolean()) positions.put(2026, (long) r.nextInt(600_000));
            if (r.nextBoolean()) positions.put(2025, (long) r.nextInt(600_000));
            List<VolumeItem> items = new ArrayList<>();
            String[] meters = {"M1", "M2"};
            LineKind[] kinds = {LineKind.USAGE, LineKind.USAGE, LineKind.USAGE, LineKind.CORRECTION, LineKind.ESTIMATE,
                    LineKind.TRUE_UP};
            int count = 1 + r.nextInt(40);
            for (int i = 0; i < count; i++) {
                LocalDate first = PERIOD.firstDay().plusDays(r.nextInt(PERIOD.days()));
                LocalDate last = r.nextInt(5) == 0 ? first.plusDays(r.nextInt(3)) : first;
                if (last.isAfter(PERIOD.lastDay())) last = PERIOD.lastDay();
                long litres = r.nextInt(10) == 0 ? -r.nextInt(200_000) : r.nextInt(10) == 0 ? 0 : r.nextInt(60_000);
                if (litres < 0) credits++;
                String meter = meters[r.nextInt(meters.length)];
                items.add(new VolumeItem(kinds[r.nextInt(kinds.length)], meter, first, last, litres,
                        "meter " + meter + " source " + r.nextInt(3)));
            }
            BillCalculator.Input in = new BillCalculator.Input(PERIOD, t, variants, positions, items);
            List<BillLine> expected = referenceLines(in);
            assertThat(BillCalculator.lines(in, memo)).isEqualTo(expected);
            assertThat(BillCalculator.lines(in)).isEqualTo(expected);
            if (expected.stream().map(BillLine::tier).filter(x -> x != null).distinct().count() > 1) crossed++;
        }
        assertThat(crossed).as("bills whose volume crossed a tier bound").isGreaterThan(150);
        assertThat(credits).as("credit items").isGreaterThan(150);
    }

    @Test
    void m3IsThePlainDecimalOfTheLitres() {
        for (long l : new long[] {0, 1, -1, 9, 10, 99, 100, 999, 1000, -1000, -500, 350_000, 123_456_789, Long.MAX_VALUE,
                Long.MIN_VALUE, Long.MIN_VALUE + 1}) {
            assertThat(BillCalculator.m3(l)).isEqualTo(BigDecimal.valueOf(l, 3).toPlainString());
        }
    }

    private static Tariff tariff(MonthDay yearStart) {
        Map<String, Variant> variants = Map.of("boiler", new Variant("boiler", List.of(1_850_000L, 3_000_000L), 0),
                "large-household", new Variant("large-household", List.of(), 150_000));
        TariffVersion v1 = new TariffVersion(LocalDate.of(2026, 1, 1), List.of(new Tier(350_000, new BigDecimal("2.61")),
                new Tier(500_000, new BigDecimal("3.13")), new Tier(Tier.UNBOUNDED, new BigDecimal("3.92"))),
                List.of(new FixedCharge("meter service", new BigDecimal("2.00"))), variants);
        TariffVersion v2 = new TariffVersion(LocalDate.of(2026, 10, 27), List.of(new Tier(350_000, new BigDecimal("2.80")),
                new Tier(500_000, new BigDecimal("3.36")), new Tier(Tier.UNBOUNDED, new BigDecimal("4.20"))),
                List.of(new FixedCharge("meter service", new BigDecimal("2.50"))), variants);
        TariffVersion v3 = new TariffVersion(LocalDate.of(2026, 11, 8), List.of(new Tier(350_000, new BigDecimal("2.85")),
                new Tier(500_000, new BigDecimal("3.40")), new Tier(Tier.UNBOUNDED, new BigDecimal("4.25"))),
                List.of(new FixedCharge("meter service", new BigDecimal("2.50")), new FixedCharge("standing", new BigDecimal("1.00"))),
                variants);
        return new Tariff("residential-gas", Tariff.classesOf(List.of(CustomerClass.RESIDENTIAL)), yearStart, List.of(v1, v2, v3));
    }

    // ---- the walk as it was before issue 14's rewrite (commit 88ef510), kept as the reference ----

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

    private static List<BillLine> referenceLines(BillCalculator.Input in) {
        Tariff tariff = in.tariff();
        List<VolumeItem> items = new ArrayList<>(in.items());
        items.sort(java.util.Comparator.comparing(VolumeItem::firstDay));
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
            String explanation = String.join("; ", a.sources) + "; " + BillCalculator.tierText(v, in.variants(), k.tier())
                    + " at " + a.price.toPlainString() + " CNY/m3, tariff " + tariff.id() + " version from " + k.version()
                    + "; tariff year " + k.year() + " position " + BigDecimal.valueOf(a.fromL, 3).toPlainString() + " -> "
                    + BigDecimal.valueOf(a.toL, 3).toPlainString() + " m3";
            out.add(new BillLine(out.size() + 1, k.kind(), k.meterId(), a.first, a.last, k.version(), k.tier(), k.year(),
                    a.volumeL, a.price, BillCalculator.amount(a.volumeL, a.price), k.kind() == LineKind.ESTIMATE, explanation));
        }
        out.addAll(BillCalculator.fixed(in.period(), tariff, out.size()));
        return out;
    }
}
