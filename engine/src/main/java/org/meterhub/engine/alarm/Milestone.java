package org.meterhub.engine.alarm;

import java.util.Locale;

/**
 * The steps of a response that the domain rules put deadlines on, in the order they happen:
 * acknowledged (gas: "handled"; heat: "contact"), someone on site, resolved (repaired, done) and,
 * for heat, the follow-up call to the customer.
 */
public enum Milestone {
    ACKNOWLEDGE, ON_SITE, RESOLVE, FOLLOW_UP;

    /** As settings and reports write it: acknowledge, on-site, resolve, follow-up. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
