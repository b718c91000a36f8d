package org.meterhub.protocol.cjt188;

/**
 * C=0x81, DI D120..D12B: the cumulative register at the settlement day {@code monthsAgo} months ago
 * (D120 = 1). Body: 4 BCD bytes, 2 decimals, unit byte. {@code di} and {@code monthsAgo} say the same
 * thing twice; the constructor insists they agree. {@link #of} takes only the month.
 */
public record MonthlyHistory(int meterTypeCode, MeterAddress address, int di, int ser, DiOrder diOrder,
        int monthsAgo, Quantity cumulative) implements Cjt188Message {

    public static final int CONTROL = 0x81;
    public static final int BODY_LENGTH = 5;
    static final int DECIMALS = 2;

    public MonthlyHistory {
        Checks.header(meterTypeCode, address);
        if (!Cjt188Di.isHistory(di)) {
            throw new IllegalArgumentException("history DI must be D120..D12B, got " + Hex.di(di));
        }
        if (monthsAgo != di - Cjt188Di.HISTORY_FIRST + 1) {
            throw new IllegalArgumentException("DI " + Hex.di(di) + " is " + (di - Cjt188Di.HISTORY_FIRST + 1)
                    + " months ago, not " + monthsAgo);
        }
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
        Bcd.requireFits(Checks.nonNull(cumulative, "cumulative").value(), 4, DECIMALS, "cumulative");
    }

    /** @param monthsAgo 1..12 */
    public static MonthlyHistory of(int meterTypeCode, MeterAddress address, int monthsAgo, int ser, DiOrder diOrder,
            Quantity cumulative) {
        if (monthsAgo < 1 || monthsAgo > 12) {
            throw new IllegalArgumentException("monthsAgo must be 1..12, got " + monthsAgo);
        }
        return new MonthlyHistory(meterTypeCode, address, Cjt188Di.HISTORY_FIRST + monthsAgo - 1, ser, diOrder,
                monthsAgo, cumulative);
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
