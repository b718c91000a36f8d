package org.meterhub.engine.meter;

import java.util.Locale;

/** Whether a meter bills a customer or measures what flows into a supply district. */
public enum MeterRole {
    /** A billed meter. */
    CUSTOMER,
    /** A bulk meter feeding its district: the district balance compares it with the customer meters. */
    DISTRICT_INLET;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MeterRole fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
