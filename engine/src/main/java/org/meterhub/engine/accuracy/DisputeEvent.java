package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One dated step of an accuracy dispute case; never changed once stored.
 *
 * @param amount  CNY for deposits and fees (positive: what changes hands as the kind says); else null
 * @param meterId the meter fitted, refitted or kept; else null
 * @param testId  the test of a {@link Kind#TEST_RESULT}; else null
 * @param billId  the new bill version of a {@link Kind#REBILLED}; else null
 */
public record DisputeEvent(long caseId, int seq, LocalDate day, Kind kind, BigDecimal amount, String meterId, Long testId,
                           Long billId, String detail, Instant recordedAt) {

    /** The steps of seed 000, ch. 9. */
    public enum Kind {
        REQUESTED,
        /** Past its service life: a new meter is fitted at once and the old one tested. */
        NEW_METER_FITTED,
        DEPOSIT_PAID,
        TEST_FEE_PAID,
        SPARE_FITTED,
        TEST_RESULT,
        WITHIN_LIMITS,
        OUTSIDE_LIMITS,
        /** Within limits: the customer's test fee is kept. */
        FEE_CHARGED_TO_CUSTOMER,
        /** Outside limits: the utility pays the test fee (refunded to the customer). */
        FEE_PAID_BY_UTILITY,
        DEPOSIT_RETURNED,
        DEPOSIT_FORFEITED,
        /** Outside limits: the spare stays, free of charge. */
        SPARE_FREE,
        ORIGINAL_REFITTED,
        SPARE_KEPT,
        REBILLED,
        CLOSED
    }

    public DisputeEvent {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
