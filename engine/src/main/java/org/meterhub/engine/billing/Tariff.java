package org.meterhub.engine.billing;

import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meterhub.engine.meter.CustomerClass;

/**
 * A published tariff: the customer classes it applies to, the first day of its tariff year
 * (tier positions restart there; 01-01 = calendar year) and its dated versions, oldest first.
 * A version applies from its day until the next one; the newest has no end.
 */
public record Tariff(String id, Set<CustomerClass> classes, MonthDay yearStart, List<TariffVersion> versions) {
    public Tariff {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(yearStart, "yearStart");
        classes = Set.copyOf(classes);
        versions = versions.stream().sorted(Comparator.comparing(TariffVersion::validFrom)).toList();
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw new TariffException("id: expected letters, digits, '_', '.', '-', got \"" + id + "\"");
        if (classes.isEmpty()) throw new TariffException("tariff " + id + ": classes: at least one customer class");
        if (versions.isEmpty()) throw new TariffException("tariff " + id + ": versions: at least one version");
        for (int i = 1; i < versions.size(); i++) {
            if (versions.get(i).validFrom().equals(versions.get(i - 1).validFrom())) {
                throw new TariffException("tariff " + id + ": two versions from " + versions.get(i).validFrom() + " overlap");
            }
        }
    }

    public static Set<CustomerClass> classesOf(List<CustomerClass> list) {
        return list.isEmpty() ? Set.of() : EnumSet.copyOf(list);
    }

    /** The version in force on the day, empty before the first version. */
    public Optional<TariffVersion> versionOn(LocalDate day) {
        TariffVersion found = null;
        for (TariffVersion v : versions) {
            if (v.validFrom().isAfter(day)) break;
            found = v;
        }
        return Optional.ofNullable(found);
    }

    /** The version in force on the day, or a one-line error naming the tariff and the day. */
    public TariffVersion requireVersionOn(LocalDate day) {
        return versionOn(day).orElseThrow(() -> new TariffException("no version of tariff " + id + " covers " + day
                + " (its first version is from " + versions.get(0).validFrom() + ")"));
    }

    /** The tariff year a day counts in, named by the calendar year in which that tariff year starts. */
    public int tariffYear(LocalDate day) {
        LocalDate start = yearStart.atYear(day.getYear());
        return day.isBefore(start) ? day.getYear() - 1 : day.getYear();
    }

    /** A copy with more versions (a load adds versions; stored ones never change). */
    public Tariff withVersions(List<TariffVersion> more) {
        List<TariffVersion> all = new ArrayList<>(versions);
        all.addAll(more);
        return new Tariff(id, classes, yearStart, all);
    }
}
