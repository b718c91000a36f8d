package org.meterhub.engine.prepaid;

/** What an IC-card meter counts its credit in: gas volume, or money. */
public enum BalanceUnit {
    /** Cubic metres, at most 3 decimals (exact litres). */
    M3(3),
    /** Yuan, at most 2 decimals (fen). */
    CNY(2);

    private final int decimals;

    BalanceUnit(int decimals) {
        this.decimals = decimals;
    }

    public int decimals() {
        return decimals;
    }
}
