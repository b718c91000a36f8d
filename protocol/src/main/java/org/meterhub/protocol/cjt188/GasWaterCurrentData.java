package org.meterhub.protocol.cjt188;

/**
 * C=0x81, DI 901F from a water or gas meter. Body after DI and SER, 19 bytes: current cumulative
 * (4 BCD, 2 decimals, unit), settlement-day cumulative (same), meter time (7), status (2).
 */
public record GasWaterCurrentData(int meterTypeCode, MeterAddress address, int ser, DiOrder diOrder,
        Quantity current, Quantity settlement, MeterClock clock, MeterStatus status) implements Cjt188Message {

    public static final int CONTROL = 0x81;
    public static final int DI = Cjt188Di.CURRENT_DATA;
    public static final int BODY_LENGTH = 19;
    static final int DECIMALS = 2;

    public GasWaterCurrentData {
        Checks.header(meterTypeCode, address);
        Checks.typeIs(meterTypeCode, carriesThisLayout(meterTypeCode), "the water/gas 901F layout");
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
        Bcd.requireFits(Checks.nonNull(current, "current").value(), 4, DECIMALS, "current");
        Bcd.requireFits(Checks.nonNull(settlement, "settlement").value(), 4, DECIMALS, "settlement");
        Checks.nonNull(clock, "clock");
        Checks.nonNull(status, "status");
    }

    /** Water and gas share this layout; heat meters use {@link HeatCurrentData}. */
    static boolean carriesThisLayout(int meterTypeCode) {
        return MeterType.of(meterTypeCode).map(t -> t.isWater() || t == MeterType.GAS).orElse(false);
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
