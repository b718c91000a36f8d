package org.meterhub.engine.accuracy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** An accuracy dispute: the request and its dated events (oldest first); the state follows from the events. */
public record DisputeCase(long caseId, String accountId, String meterId, LocalDate requestedOn, boolean pastServiceLife,
                          Instant openedAt, List<DisputeEvent> events) {

    public enum State {
        /** The disputed meter is away for its test. */
        AWAITING_TEST,
        /** Within limits, spare fitted: the customer chooses between the original meter back and keeping the spare. */
        AWAITING_METER_CHOICE,
        CLOSED
    }

    public DisputeCase {
        events = List.copyOf(events);
    }

    public State state() {
        if (has(DisputeEvent.Kind.CLOSED)) return State.CLOSED;
        if (has(DisputeEvent.Kind.WITHIN_LIMITS)) return State.AWAITING_METER_CHOICE;
        return State.AWAITING_TEST;
    }

    public boolean has(DisputeEvent.Kind k) {
        return events.stream().anyMatch(e -> e.kind() == k);
    }

    /**
     * The amount of the case's first event of the kind (the deposit or fee paid at the request), so
     * the later steps return or charge what was paid even if the settings changed since.
     */
    public java.math.BigDecimal paid(DisputeEvent.Kind k) {
        return events.stream().filter(e -> e.kind() == k && e.amount() != null).map(DisputeEvent::amount).findFirst()
                .orElseThrow(() -> new AccuracyException("dispute case " + caseId + " has no " + k + " event"));
    }

    /** The meter fitted while the disputed one is away (spare or new meter). */
    public String fittedMeter() {
        return events.stream().filter(e -> e.kind() == DisputeEvent.Kind.SPARE_FITTED || e.kind() == DisputeEvent.Kind.NEW_METER_FITTED)
                .map(DisputeEvent::meterId).findFirst().orElse(null);
    }
}
