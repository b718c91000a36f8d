package org.meterhub.engine.meter;

import java.util.Locale;

/** Who a meter or account supplies; commercial and industrial accounts are never estimated. */
public enum CustomerClass {
    RESIDENTIAL, COMMERCIAL, INDUSTRIAL;

    /** The lower-case name used in the store and the API. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CustomerClass fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
