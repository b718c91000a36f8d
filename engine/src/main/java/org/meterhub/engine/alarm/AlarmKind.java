package org.meterhub.engine.alarm;

/** What an alarm is about; the kind and the subject's medium decide its deadlines ({@link AlarmDeadlines}). */
public enum AlarmKind {
    GAS_LEAK_SUSPECTED(Category.LEAK),
    CONTINUOUS_FLOW(Category.LEAK),
    NIGHT_FLOW(Category.LEAK),
    FLOOR_RISE(Category.LEAK),
    BURST(Category.LEAK),
    GAS_DETECTOR(Category.LEAK),
    NETWORK_IMBALANCE(Category.LEAK),
    TAMPER(Category.FAULT),
    /** A meter's battery is low: a notice with no regulated response time (see {@link AlarmDeadlines}). */
    LOW_BATTERY(Category.FAULT),
    VALVE_FAULT(Category.FAULT),
    METER_FAULT(Category.FAULT),
    CONVERSION_ERROR(Category.FAULT),
    DATA_QUALITY(Category.DATA);

    /** Response classes from the domain rules. */
    public enum Category {
        /** A leak or a burst. */
        LEAK,
        /** A fault of the network, a meter or its equipment (tamper and low battery are notices here). */
        FAULT,
        /** Validation findings worth a person's look; no regulated deadline. */
        DATA
    }

    private final Category category;

    AlarmKind(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
