package org.meterhub.engine.account;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Objects;
import org.meterhub.engine.meter.CustomerClass;

/**
 * A supply account without customer data.
 *
 * @param meterId   the meter serving the account, null while none is installed
 * @param ignitedOn the day gas was first supplied, null before
 */
public record Account(String accountId, String meterId, AccountState state, CustomerClass customerClass,
                      String districtId, LocalDate ignitedOn, Instant updatedAt) {
    public Account {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(customerClass, "customerClass");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /**
     * Whether the account must be read in the given month: ignited, and not ignited in that
     * month (accounts to read = ignited − vacant − removed − suspended − sealed − ignited this month).
     */
    public boolean toRead(YearMonth month) {
        return state == AccountState.IGNITED && (ignitedOn == null || !YearMonth.from(ignitedOn).equals(month));
    }
}
