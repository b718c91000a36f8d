package org.meterhub.app.bill;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.engine.billing.FixedCharge;
import org.meterhub.engine.billing.Tariff;
import org.meterhub.engine.billing.TariffBook;
import org.meterhub.engine.billing.TariffException;
import org.meterhub.engine.billing.TariffVersion;
import org.meterhub.engine.billing.Tier;
import org.meterhub.engine.billing.Variant;
import org.meterhub.engine.meter.CustomerClass;

/**
 * A tariff file (YAML), read strictly: unknown fields, wrong types and bad values are one-line
 * errors naming the file, the line and the field (docs/billing.md, "Tariff file").
 */
public record TariffFile(List<TariffSection> tariffs) {
    public TariffFile {
        if (tariffs == null || tariffs.isEmpty()) throw new IllegalArgumentException("tariffs: expected at least one tariff");
        tariffs = List.copyOf(tariffs);
    }

    public record TariffSection(String id, List<String> classes, String yearStart, List<VersionSection> versions) {
        public TariffSection {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("id: expected a tariff id such as residential-gas");
            if (classes == null || classes.isEmpty()) throw new IllegalArgumentException("classes: expected a list of residential, commercial, industrial");
            for (String c : classes) {
                try {
                    CustomerClass.valueOf(c.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("classes: expected residential, commercial or industrial, got \"" + c + "\"");
                }
            }
            if (yearStart == null) yearStart = "01-01";
            try {
                MonthDay.parse("--" + yearStart);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("year-start: expected MM-DD such as 01-01, got \"" + yearStart + "\"");
            }
            if (versions == null || versions.isEmpty()) throw new IllegalArgumentException("versions: expected at least one version");
            versions = List.copyOf(versions);
            TariffBook.checkSpans(id, versions.stream().map(VersionSection::day).toList(),
                    versions.stream().map(v -> Optional.ofNullable(v.until()).map(u -> VersionSection.date(u, "until"))).toList());
        }

        Tariff tariff() {
            List<CustomerClass> cs = classes.stream().map(c -> CustomerClass.valueOf(c.toUpperCase(Locale.ROOT))).toList();
            return new Tariff(id, Tariff.classesOf(cs), MonthDay.parse("--" + yearStart),
                    versions.stream().map(VersionSection::version).toList());
        }
    }

    /** One version; {@code until} (exclusive) is optional and, when given, must be the next version's {@code from}. */
    public record VersionSection(String from, String until, List<TierSection> tiers, List<FixedSection> fixed,
                                 Map<String, VariantSection> variants) {
        public VersionSection {
            if (from == null) throw new IllegalArgumentException("from: expected the first day, YYYY-MM-DD");
            date(from, "from");
            if (until != null) date(until, "until");
            if (tiers == null || tiers.isEmpty()) throw new IllegalArgumentException("tiers: expected at least one tier (one tier = a flat price)");
            tiers = List.copyOf(tiers);
            fixed = fixed == null ? List.of() : List.copyOf(fixed);
            variants = variants == null ? Map.of() : new LinkedHashMap<>(variants);
            version(from, tiers, fixed, variants); // every check of the engine's model, here with a line number
        }

        LocalDate day() {
            return date(from, "from");
        }

        TariffVersion version() {
            return version(from, tiers, fixed, variants);
        }

        private static TariffVersion version(String from, List<TierSection> tiers, List<FixedSection> fixed,
                                             Map<String, VariantSection> variants) {
            List<Tier> ts = new ArrayList<>();
            for (int i = 0; i < tiers.size(); i++) {
                TierSection t = tiers.get(i);
                try {
                    ts.add(new Tier(t.upToM3() == null ? Tier.UNBOUNDED : litres(t.upToM3(), "up-to-m3"), t.price()));
                } catch (TariffException e) {
                    throw new IllegalArgumentException("tiers: [" + i + "]." + e.getMessage());
                }
            }
            List<FixedCharge> fs = fixed.stream().map(f -> new FixedCharge(f.name(), f.monthly())).toList();
            Map<String, Variant> vs = new LinkedHashMap<>();
            variants.forEach((name, v) -> vs.put(name, new Variant(name,
                    v.thresholdsM3() == null ? List.of() : v.thresholdsM3().stream().map(x -> litres(x, "thresholds-m3")).toList(),
                    v.addM3() == null ? 0 : litres(v.addM3(), "add-m3"))));
            try {
                return new TariffVersion(date(from, "from"), ts, fs, vs);
            } catch (TariffException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^tiers\\[", "tiers: ["));
            }
        }

        static LocalDate date(String text, String field) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(field + ": expected a day YYYY-MM-DD, got \"" + text + "\"");
            }
        }
    }

    public record TierSection(BigDecimal upToM3, BigDecimal price) {
        public TierSection {
            if (price == null) throw new IllegalArgumentException("price: expected CNY per m3, e.g. 2.61");
            if (price.signum() < 0) throw new IllegalArgumentException("price: must not be negative, got " + price.toPlainString());
            if (upToM3 != null && upToM3.signum() <= 0) throw new IllegalArgumentException("up-to-m3: must be positive, got " + upToM3.toPlainString());
        }
    }

    public record FixedSection(String name, BigDecimal monthly) {
        public FixedSection {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("name: expected the charge's name, e.g. meter service");
            if (monthly == null) throw new IllegalArgumentException("monthly: expected CNY per month, e.g. 2.00");
            if (monthly.signum() < 0) throw new IllegalArgumentException("monthly: must not be negative, got " + monthly.toPlainString());
        }
    }

    public record VariantSection(List<BigDecimal> thresholdsM3, BigDecimal addM3) {
        public VariantSection {
            if ((thresholdsM3 == null || thresholdsM3.isEmpty()) && addM3 == null) {
                throw new IllegalArgumentException("thresholds-m3: a variant needs thresholds-m3 (replacing the bounds) or add-m3");
            }
        }
    }

    private static long litres(BigDecimal m3, String field) {
        try {
            return m3.movePointRight(3).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + ": expected m3 to the litre (3 decimals at most), got " + m3.toPlainString());
        }
    }

    /** Reads and checks the file; every mistake is a {@link ConfigException} naming file, line and field. */
    public static TariffBook load(java.nio.file.Path file) {
        TariffFile f = new ConfigLoader().load(file, TariffFile.class);
        try {
            return new TariffBook(f.tariffs().stream().map(TariffSection::tariff).toList());
        } catch (TariffException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }
}
