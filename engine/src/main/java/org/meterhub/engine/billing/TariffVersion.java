package org.meterhub.engine.billing;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One dated version of a tariff: it applies from {@code validFrom} (a day in the utility's zone)
 * until the next version's {@code validFrom}. A single tier is a flat price per m³; more tiers
 * are priced by the household's cumulative volume in the tariff year.
 */
public record TariffVersion(LocalDate validFrom, List<Tier> tiers, List<FixedCharge> fixed, Map<String, Variant> variants) {
    public TariffVersion {
        Objects.requireNonNull(validFrom, "validFrom");
        tiers = List.copyOf(tiers);
        fixed = List.copyOf(fixed);
        variants = Map.copyOf(new LinkedHashMap<>(variants));
        if (tiers.isEmpty()) throw new TariffException("tiers: at least one tier (a flat tariff has one)");
        for (int i = 0; i < tiers.size(); i++) {
            boolean last = i == tiers.size() - 1;
            Tier t = tiers.get(i);
            if (last && !t.unbounded()) throw new TariffException("tiers[" + i + "].up-to-m3: the last tier has no upper bound");
            if (!last && t.unbounded()) throw new TariffException("tiers[" + i + "].up-to-m3: only the last tier may be unbounded");
            if (i > 0 && !last && t.upToL() <= tiers.get(i - 1).upToL()) {
                throw new TariffException("tiers[" + i + "].up-to-m3: bounds must increase");
            }
        }
        for (Variant v : variants.values()) {
            if (!v.thresholdsL().isEmpty() && v.thresholdsL().size() != tiers.size() - 1) {
                throw new TariffException("variants." + v.name() + ".thresholds-m3: expected " + (tiers.size() - 1)
                        + " bounds (one per bounded tier), got " + v.thresholdsL().size());
            }
        }
    }

    /** Tier bounds in litres for an account with these variants (applied in order); the last tier is unbounded. */
    public long[] bounds(List<String> variantNames) {
        long[] b = new long[tiers.size()];
        for (int i = 0; i < b.length; i++) b[i] = tiers.get(i).upToL();
        for (String name : variantNames) {
            Variant v = variants.get(name);
            if (v == null) {
                throw new TariffException("variant \"" + name + "\" is not defined in the tariff version from " + validFrom
                        + "; defined: " + String.join(", ", new java.util.TreeSet<>(variants.keySet())));
            }
            for (int i = 0; i < b.length - 1; i++) {
                if (!v.thresholdsL().isEmpty()) b[i] = v.thresholdsL().get(i);
            }
            for (int i = 0; i < b.length - 1; i++) b[i] += v.addL();
        }
        return b;
    }

    /** The same version without its date, for comparing a stored version with a loaded one. */
    public boolean samePrices(TariffVersion other) {
        return tiers.equals(other.tiers) && fixed.equals(other.fixed) && variants.equals(other.variants);
    }

    public static List<String> names(List<FixedCharge> fixed) {
        List<String> n = new ArrayList<>();
        fixed.forEach(f -> n.add(f.name()));
        return n;
    }
}
