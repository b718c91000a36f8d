package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;

/**
 * C=0x81, DI 901F from a heat meter (L=0x2E). Body after DI and SER, 43 bytes, each number BCD low byte
 * first:
 * <pre>
 * settlement heat   4 + unit   2 decimals
 * current heat      4 + unit   2 decimals
 * heat power        4 + unit   2 decimals
 * flow              4 + unit   4 decimals (XXXX.XXXX, as in the standard's heat table)
 * cumulative flow   4 + unit   2 decimals
 * supply temp.      3          2 decimals, °C
 * return temp.      3          2 decimals, °C
 * working hours     3          whole hours
 * meter time        7
 * status            2
 * </pre>
 */
public record HeatCurrentData(int meterTypeCode, MeterAddress address, int ser, DiOrder diOrder,
        Quantity settlementHeat, Quantity currentHeat, Quantity heatPower, Quantity flow, Quantity cumulativeFlow,
        BigDecimal supplyTemperature, BigDecimal returnTemperature, int workingHours, MeterClock clock,
        MeterStatus status) implements Cjt188Message {

    public static final int CONTROL = 0x81;
    public static final int DI = Cjt188Di.CURRENT_DATA;
    public static final int BODY_LENGTH = 43;
    static final int DECIMALS = 2;
    static final int FLOW_DECIMALS = 4;
    static final int TEMPERATURE_BYTES = 3;
    static final int HOURS_BYTES = 3;

    public HeatCurrentData {
        Checks.header(meterTypeCode, address);
        Checks.typeIs(meterTypeCode, carriesThisLayout(meterTypeCode), "the heat 901F layout");
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
        Bcd.requireFits(Checks.nonNull(settlementHeat, "settlementHeat").value(), 4, DECIMALS, "settlementHeat");
        Bcd.requireFits(Checks.nonNull(currentHeat, "currentHeat").value(), 4, DECIMALS, "currentHeat");
        Bcd.requireFits(Checks.nonNull(heatPower, "heatPower").value(), 4, DECIMALS, "heatPower");
        Bcd.requireFits(Checks.nonNull(flow, "flow").value(), 4, FLOW_DECIMALS, "flow");
        Bcd.requireFits(Checks.nonNull(cumulativeFlow, "cumulativeFlow").value(), 4, DECIMALS, "cumulativeFlow");
        Bcd.requireFits(supplyTemperature, TEMPERATURE_BYTES, DECIMALS, "supplyTemperature");
        Bcd.requireFits(returnTemperature, TEMPERATURE_BYTES, DECIMALS, "returnTemperature");
        // Fixed scale: 60.5 and 60.50 °C are the same reading and must give equal records.
        supplyTemperature = supplyTemperature.setScale(DECIMALS);
        returnTemperature = returnTemperature.setScale(DECIMALS);
        if (workingHours < 0 || workingHours >= Bcd.maxExclusive(HOURS_BYTES)) {
            throw new IllegalArgumentException("workingHours must be 0..999999, got " + workingHours);
        }
        Checks.nonNull(clock, "clock");
        Checks.nonNull(status, "status");
    }

    static boolean carriesThisLayout(int meterTypeCode) {
        return MeterType.of(meterTypeCode).map(MeterType::isHeat).orElse(false);
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
