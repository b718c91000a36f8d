package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.List;
import java.util.Map;
import org.meterhub.engine.meter.CustomerClass;

/** The worked examples' tariff (docs/billing.md): three tiers, a price change on 2026-11-01, boiler and large-household variants. */
final class TestTariffs {
    static final LocalDate V1 = LocalDate.of(2026, 1, 1);
    static final LocalDate V2 = LocalDate.of(2026, 11, 1);

    private TestTariffs() {
    }

    static Map<String, Variant> variants() {
        return Map.of("boiler", new Variant("boiler", List.of(1_850_000L, 3_000_000L), 0),
                "large-household", new Variant("large-household", List.of(), 150_000L));
    }

    static TariffVersion v1() {
        return new TariffVersion(V1, List.of(tier(350_000, "2.61"), tier(500_000, "3.13"), tier(Tier.UNBOUNDED, "3.92")),
                List.of(new FixedCharge("meter service", new BigDecimal("2.00"))), variants());
    }

    static TariffVersion v2() {
        return new TariffVersion(V2, List.of(tier(350_000, "2.80"), tier(500_000, "3.36"), tier(Tier.UNBOUNDED, "4.20")),
                List.of(new FixedCharge("meter service", new BigDecimal("2.50"))), variants());
    }

    static Tariff residential() {
        return new Tariff("residential-gas", Tariff.classesOf(List.of(CustomerClass.RESIDENTIAL)), MonthDay.of(1, 1),
                List.of(v1(), v2()));
    }

    static TariffBook book() {
        return new TariffBook(List.of(residential()));
    }

    static Tier tier(long upToL, String price) {
        return new Tier(upToL, new BigDecimal(price));
    }
}
