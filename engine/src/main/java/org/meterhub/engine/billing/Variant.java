package org.meterhub.engine.billing;

import java.util.List;
import java.util.Objects;

/**
 * A tier-threshold variant an account can have (the national guideline's boiler-heating and
 * large-household households): either replaces the thresholds, or adds to each of them.
 *
 * @param thresholdsL replacement upper bounds of the bounded tiers, litres (empty: keep them)
 * @param addL        litres added to every bounded tier's upper bound (after any replacement)
 */
public record Variant(String name, List<Long> thresholdsL, long addL) {
    public Variant {
        Objects.requireNonNull(name, "name");
        thresholdsL = List.copyOf(thresholdsL);
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new TariffException("variant name: expected lower-case letters, digits and '-', got \"" + name + "\"");
        }
        for (int i = 0; i < thresholdsL.size(); i++) {
            if (thresholdsL.get(i) <= 0 || (i > 0 && thresholdsL.get(i) <= thresholdsL.get(i - 1))) {
                throw new TariffException("variant " + name + ": thresholds-m3 must be positive and increasing");
            }
        }
        if (addL < 0) throw new TariffException("variant " + name + ": add-m3 must not be negative");
        if (thresholdsL.isEmpty() && addL == 0) throw new TariffException("variant " + name + ": needs thresholds-m3 or add-m3");
    }
}
