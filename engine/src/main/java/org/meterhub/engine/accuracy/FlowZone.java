package org.meterhub.engine.accuracy;

/** OIML R137-1 / GB/T 6968 flow zones of a gas meter, with Qt = qt-ratio × Qmax. */
public enum FlowZone {
    /** Qmin ≤ Q &lt; Qt: the wider limit (class 1.5: ±3 %). */
    LOWER("Qmin<=Q<Qt"),
    /** Qt ≤ Q ≤ Qmax: the narrower limit (class 1.5: ±1.5 %). */
    UPPER("Qt<=Q<=Qmax");

    private final String shown;

    FlowZone(String shown) {
        this.shown = shown;
    }

    public String shown() {
        return shown;
    }
}
