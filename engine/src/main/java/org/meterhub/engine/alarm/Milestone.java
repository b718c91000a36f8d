package org.meterhub.engine.alarm;

import java.util.Locale;

/**
 * The steps of a response that the domain rules put deadlines on, in the order they happen:
 * acknowledged (gas: "handled"; heat: "contact"), someone on site, resolved (repaired, done) and,
 * for heat, the follow-up call to the customer.
 */
public enum Milestone {
    ACKNOWLEDGE("acknowledged"), ON_SITE("on site"), RESOLVE("resolved"), FOLLOW_UP("followed up");

    private final String reached;

    Milestone(String reached) {
        this.reached = reached;
    }

    /** As a sentence says it was reached: "not on site by …". */
    public String reached() {
        return reached;
    }

    /** As settings and reports write it: acknowledge, on-site, resolve, follow-up. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
