package org.meterhub.engine.account;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The accounts to read in a month, counted exactly as the gas service regulations write it (seed 000):
 * <pre>
 *     ignited          = registered − awaiting ignition
 *     accounts to read = ignited − vacant − removed − suspended − sealed − ignited this month
 * </pre>
 * {@code registered} is every account on the books; {@code awaiting ignition} those not yet supplied
 * (states REGISTERED and AWAITING_IGNITION); vacant, removed, suspended and sealed accounts were ignited
 * once and are counted inside {@code ignited}, then subtracted; {@code ignited this month} are
 * IGNITED accounts whose ignition day falls in the month. An account has one state, so every term
 * counts disjoint accounts and the summary adds up: {@link #toRead()} equals the formula.
 */
public record AccountsToRead(YearMonth month, int registered, int awaitingIgnition, int vacant, int removed,
                             int suspended, int sealed, int ignitedThisMonth, List<Account> accounts) {
    public AccountsToRead {
        Objects.requireNonNull(month, "month");
        accounts = List.copyOf(accounts);
        if (registered - awaitingIgnition - vacant - removed - suspended - sealed - ignitedThisMonth != accounts.size()) {
            throw new IllegalStateException("accounts to read do not add up for " + month);
        }
    }

    /** Counts every account given (all states) for the month. */
    public static AccountsToRead of(YearMonth month, Collection<Account> all) {
        int registered = 0;
        int awaiting = 0;
        int vacant = 0;
        int removed = 0;
        int suspended = 0;
        int sealed = 0;
        int newlyIgnited = 0;
        List<Account> toRead = new ArrayList<>();
        for (Account a : all) {
            registered++;
            switch (a.state()) {
                case REGISTERED, AWAITING_IGNITION -> awaiting++;
                case VACANT -> vacant++;
                case REMOVED -> removed++;
                case SUSPENDED -> suspended++;
                case SEALED -> sealed++;
                case IGNITED -> {
                    if (a.toRead(month)) toRead.add(a);
                    else newlyIgnited++;
                }
            }
        }
        return new AccountsToRead(month, registered, awaiting, vacant, removed, suspended, sealed, newlyIgnited, toRead);
    }

    /** registered − awaiting ignition. */
    public int ignited() {
        return registered - awaitingIgnition;
    }

    public int toRead() {
        return accounts.size();
    }

    /** The formula with its numbers, e.g. {@code 10 = 14 − 1 − 1 − 0 − 1 − 0 − 1 (ignited 13 = 14 − 1)}. */
    public String arithmetic() {
        return "to read " + toRead() + " = ignited " + ignited() + " − vacant " + vacant + " − removed " + removed
                + " − suspended " + suspended + " − sealed " + sealed + " − ignited this month " + ignitedThisMonth
                + "; ignited " + ignited() + " = registered " + registered + " − awaiting ignition " + awaitingIgnition;
    }
}
