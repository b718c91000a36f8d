package org.meterhub.engine.alarm;

/** What an alarm is about; the category decides its deadlines. */
public enum AlarmKind {
    GAS_LEAK_SUSPECTED(Category.LEAK),
    CONTINUOUS_FLOW(Category.LEAK),
    NIGHT_FLOW(Category.LEAK),
    FLOOR_RISE(Category.LEAK),
    BURST(Category.LEAK),
    GAS_DETECTOR(Category.LEAK),
    NETWORK_IMBALANCE(Category.LEAK),
    TAMPER(Category.FAULT),
    VALVE_FAULT(Category.FAULT),
    METER_FAULT(Category.FAULT),
    CONVERSION_ERROR(Category.FAULT),
    DATA_QUALITY(Category.DATA);

    /** Response classes from the domain rules. */
    public enum Category {
        /** Gas leak: on site within 30 min. */
        LEAK,
        /** Fault: handled within 6 h, repaired within 24 h. */
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
