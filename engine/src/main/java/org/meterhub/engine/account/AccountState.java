package org.meterhub.engine.account;

import java.util.Locale;

/** The states of a gas supply account (service regulations); only IGNITED accounts are read. */
public enum AccountState {
    REGISTERED, AWAITING_IGNITION, IGNITED, VACANT, REMOVED, SUSPENDED, SEALED;

    /** The lower-case name used in the store and the API, e.g. awaiting_ignition. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AccountState fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
