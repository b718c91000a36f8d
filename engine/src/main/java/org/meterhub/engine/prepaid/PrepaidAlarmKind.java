package org.meterhub.engine.prepaid;

/** Alarms the prepaid ledger raises. */
public enum PrepaidAlarmKind {
    /** The meter's balance differs from the shadow ledger by more than the tolerance. */
    BALANCE_MISMATCH,
    /** The balance fell below the low-balance threshold. */
    LOW_BALANCE,
    /** The meter ran past its credit (negative balance or the meter's own overdraft alarm). */
    OVERDRAFT
}
