package org.meterhub.gateway.cjt188;

import org.meterhub.engine.vee.MeterClass;
import org.meterhub.gateway.driver.DriverOptions;
import org.meterhub.protocol.cjt188.DiOrder;

/**
 * Per-meter CJ/T 188 settings.
 *
 * @param meterTypeCode the T byte the meter answers to (0x30 gas, 0x10 cold water …)
 * @param diOrder the DI byte order this meter's firmware expects; replies are accepted in either
 * @param qmaxLph the meter's maximum flow in litres per hour: on a noisy line two replies agree when the
 *                register rose no more than this allows between them (plus one step)
 */
public record Cjt188Options(int meterTypeCode, DiOrder diOrder, long qmaxLph) implements DriverOptions {
    public Cjt188Options {
        if (qmaxLph <= 0) throw new IllegalArgumentException("Qmax must be positive, got " + qmaxLph + " L/h");
    }

    /** With the Qmax of the household meter of its type ({@link #defaultQmaxLph}). */
    public Cjt188Options(int meterTypeCode, DiOrder diOrder) {
        this(meterTypeCode, diOrder, defaultQmaxLph(meterTypeCode));
    }

    /**
     * The engine's default classes: water types (0x10..0x13) a DN15 (Q4 3.125 m³/h), heat (0x20..0x22)
     * 2.5 m³/h as the engine assumes for heat, everything else a G2.5 gas meter (4 m³/h).
     */
    public static long defaultQmaxLph(int meterTypeCode) {
        if (meterTypeCode >= 0x10 && meterTypeCode <= 0x13) return MeterClass.householdWater().qmaxLph();
        if (meterTypeCode >= 0x20 && meterTypeCode <= 0x22) return 2_500;
        return MeterClass.householdGas().qmaxLph();
    }
}
