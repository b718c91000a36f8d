package org.meterhub.engine.billing;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.meterhub.engine.meter.CustomerClass;

/** The tariffs in force: at most one per customer class. */
public record TariffBook(List<Tariff> tariffs) {
    public TariffBook {
        tariffs = tariffs.stream().sorted(Comparator.comparing(Tariff::id)).toList();
        Map<CustomerClass, String> owner = new EnumMap<>(CustomerClass.class);
        List<String> ids = new ArrayList<>();
        for (Tariff t : tariffs) {
            if (ids.contains(t.id())) throw new TariffException("tariff " + t.id() + " is defined twice");
            ids.add(t.id());
            for (CustomerClass c : t.classes()) {
                String other = owner.put(c, t.id());
                if (other != null) {
                    throw new TariffException("tariffs " + other + " and " + t.id() + " both apply to class " + c.name().toLowerCase());
                }
            }
        }
    }

    public Optional<Tariff> forClass(CustomerClass c) {
        return tariffs.stream().filter(t -> t.classes().contains(c)).findFirst();
    }

    public Optional<Tariff> byId(String id) {
        return tariffs.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    /**
     * Checks the versions of one tariff as a file states them: each version's optional end
     * ({@code until}, exclusive) must be the next version's first day. A version ending before the
     * next starts leaves a gap; one ending after it overlaps; only the newest may be open.
     */
    public static void checkSpans(String tariffId, List<LocalDate> froms, List<Optional<LocalDate>> untils) {
        for (int i = 0; i < froms.size(); i++) {
            LocalDate from = froms.get(i);
            Optional<LocalDate> until = untils.get(i);
            String where = "tariff " + tariffId + ": versions[" + i + "]";
            if (until.isPresent() && !until.get().isAfter(from)) {
                throw new TariffException(where + ".until: must be after from (" + from + "), got " + until.get());
            }
            if (i > 0 && !from.isAfter(froms.get(i - 1))) {
                throw new TariffException(where + ".from: versions must be in date order and not overlap; " + from
                        + " is not after " + froms.get(i - 1));
            }
            if (i + 1 < froms.size()) {
                LocalDate next = froms.get(i + 1);
                if (until.isEmpty()) continue; // runs until the next one
                if (until.get().isBefore(next)) {
                    throw new TariffException(where + ".until: gap: no version covers " + until.get() + " to "
                            + next.minusDays(1) + " (the next version starts " + next + ")");
                }
                if (until.get().isAfter(next)) {
                    throw new TariffException(where + ".until: overlap: runs to " + until.get().minusDays(1)
                            + " but the next version starts " + next);
                }
            } else if (until.isPresent()) {
                throw new TariffException(where + ".until: the newest version has no end (a tariff that stops would leave"
                        + " bills without a price); got " + until.get());
            }
        }
    }
}
