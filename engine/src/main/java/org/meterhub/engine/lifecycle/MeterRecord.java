package org.meterhub.engine.lifecycle;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A meter's record (seed: brand, model, serial, production and first-verification dates) with
 * its gas type and its state events, oldest first.
 *
 * @param refurbished as delivered; a meter that has been installed before is refurbished too
 */
public record MeterRecord(String meterId, String brand, String model, String serial, LocalDate productionDate,
                          LocalDate firstVerification, GasType gasType, boolean refurbished, List<StateEvent> events) {

    public record StateEvent(int seq, LocalDate day, MeterState state, String detail) {
    }

    public MeterRecord {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(productionDate, "productionDate");
        Objects.requireNonNull(firstVerification, "firstVerification");
        Objects.requireNonNull(gasType, "gasType");
        events = List.copyOf(events);
        if (firstVerification.isBefore(productionDate)) {
            throw new LifecycleException("meter " + meterId + ": first verification " + firstVerification + " is before production " + productionDate);
        }
    }

    public MeterState state() {
        return events.isEmpty() ? MeterState.IN_STOCK : events.get(events.size() - 1).state();
    }

    /** Never installed before and not delivered refurbished. */
    public boolean isNew() {
        return !refurbished && events.stream().noneMatch(e -> e.state() == MeterState.INSTALLED);
    }

    /** The day it was last installed, if it is installed. */
    public Optional<LocalDate> installedOn() {
        if (state() != MeterState.INSTALLED) return Optional.empty();
        return Optional.of(events.get(events.size() - 1).day());
    }

    /** The age counts from the earlier of production and first verification (staff tell it from both). */
    public LocalDate ageFrom() {
        return productionDate.isBefore(firstVerification) ? productionDate : firstVerification;
    }

    /** The day it reaches the end of its life under the rules. */
    public LocalDate lifeEnds(LifecycleRules rules) {
        return ageFrom().plusYears(rules.lifeYears(gasType));
    }

    public LocalDate warrantyEnds(LifecycleRules rules) {
        return firstVerification.plusYears(rules.warrantyYears());
    }
}
