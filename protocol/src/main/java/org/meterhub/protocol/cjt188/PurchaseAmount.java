package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;

/**
 * C=0x81, DI 8105, prepaid meters: the last purchase. Layout chosen for meterhub (the editions and
 * vendors differ; this is the common core of them), body after DI and SER, 5 bytes:
 * <pre>
 * purchase sequence  1 byte, binary 0..255 (wraps), so the master can tell a repeated purchase
 * amount             4 bytes BCD, low byte first, 2 decimals, in the meter's currency (yuan)
 * </pre>
 * Replies with longer vendor layouts are rejected by {@link Cjt188Messages#decode} with the length
 * they have, so they show up in the explainer rather than being misread.
 */
public record PurchaseAmount(int meterTypeCode, MeterAddress address, int ser, DiOrder diOrder,
        int purchaseSequence, BigDecimal amount) implements Cjt188Message {

    public static final int CONTROL = 0x81;
    public static final int DI = Cjt188Di.PURCHASE_AMOUNT;
    public static final int BODY_LENGTH = 5;
    static final int AMOUNT_BYTES = 4;
    static final int DECIMALS = 2;

    public PurchaseAmount {
        Checks.header(meterTypeCode, address);
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
        Checks.u8(purchaseSequence, "purchaseSequence");
        Bcd.requireFits(amount, AMOUNT_BYTES, DECIMALS, "amount");
        amount = amount.setScale(DECIMALS);
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
