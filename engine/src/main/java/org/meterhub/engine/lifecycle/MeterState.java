package org.meterhub.engine.lifecycle;

import java.util.EnumSet;
import java.util.Set;

/** Where a meter is in its life; each change is a dated event. */
public enum MeterState {
    IN_STOCK, ISSUED, INSTALLED, REMOVED, UNDER_TEST, SCRAPPED;

    /** The states a meter may go to from this one. */
    public Set<MeterState> next() {
        return switch (this) {
            case IN_STOCK -> EnumSet.of(ISSUED, UNDER_TEST, SCRAPPED);
            case ISSUED -> EnumSet.of(INSTALLED, IN_STOCK);
            case INSTALLED -> EnumSet.of(REMOVED);
            case REMOVED -> EnumSet.of(UNDER_TEST, IN_STOCK, SCRAPPED);
            case UNDER_TEST -> EnumSet.of(IN_STOCK, INSTALLED, SCRAPPED);
            case SCRAPPED -> EnumSet.noneOf(MeterState.class);
        };
    }
}
