package org.meterhub.engine.evc;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Checks an electronic volume converter (Modbus {@code evc-basic}): the base volume it reports
 * against Vm·(P/Pb)·(Tb/T) computed from its own line volume, absolute pressure and temperature.
 * Base conditions and the tolerance are settings (defaults 101.325 kPa, 20 °C = 293.15 K, 0.5 %).
 * Compressibility is taken as 1 (low-pressure distribution), as in the formula.
 * All arithmetic in BigDecimal: no binary floating point touches a volume.
 */
public final class EvcCheck {

    public record Settings(BigDecimal basePressureKpa, BigDecimal baseTemperatureK, BigDecimal tolerancePercent) {
        public Settings {
            Objects.requireNonNull(basePressureKpa, "basePressureKpa");
            Objects.requireNonNull(baseTemperatureK, "baseTemperatureK");
            Objects.requireNonNull(tolerancePercent, "tolerancePercent");
            if (basePressureKpa.signum() <= 0 || baseTemperatureK.signum() <= 0 || tolerancePercent.signum() < 0) {
                throw new IllegalArgumentException("base conditions must be positive, tolerance not negative");
            }
        }

        public static Settings defaults() {
            return new Settings(new BigDecimal("101.325"), new BigDecimal("293.15"), new BigDecimal("0.5"));
        }
    }

    /**
     * @param expectedBaseM3   Vm·(P/Pb)·(Tb/T), m³ at base conditions
     * @param deviationPercent (reported − expected) / expected × 100, 4 decimals
     */
    public record Result(BigDecimal expectedBaseM3, BigDecimal reportedBaseM3, BigDecimal deviationPercent,
                         boolean conversionError, String reason) {
    }

    private static final BigDecimal KELVIN = new BigDecimal("273.15");
    private static final MathContext MC = MathContext.DECIMAL64;
    private final Settings settings;

    public EvcCheck(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param lineVolumeM3      Vm, volume at line conditions over the period (m³)
     * @param reportedBaseM3    Vb the converter reports for the same period (m³)
     * @param pressureKpaAbs    P, absolute line pressure (kPa)
     * @param temperatureCelsius T, line gas temperature (°C)
     */
    public Result check(BigDecimal lineVolumeM3, BigDecimal reportedBaseM3, BigDecimal pressureKpaAbs,
                        BigDecimal temperatureCelsius) {
        BigDecimal t = temperatureCelsius.add(KELVIN);
        if (pressureKpaAbs.signum() <= 0 || t.signum() <= 0) throw new IllegalArgumentException("pressure and temperature must be physical");
        BigDecimal expected = lineVolumeM3.multiply(pressureKpaAbs).multiply(settings.baseTemperatureK())
                .divide(settings.basePressureKpa().multiply(t), MC);
        if (expected.signum() == 0) {
            boolean err = reportedBaseM3.signum() != 0;
            return new Result(expected, reportedBaseM3, BigDecimal.ZERO, err,
                    err ? "base volume reported with no line volume" : "no flow");
        }
        BigDecimal dev = reportedBaseM3.subtract(expected).multiply(BigDecimal.valueOf(100)).divide(expected, 4, RoundingMode.HALF_UP);
        boolean error = dev.abs().compareTo(settings.tolerancePercent()) > 0;
        String reason = "Vb " + reportedBaseM3.toPlainString() + " m³ vs Vm·(P/Pb)·(Tb/T) "
                + expected.setScale(4, RoundingMode.HALF_UP).toPlainString() + " m³: " + dev.toPlainString() + " %"
                + (error ? " beyond " : " within ") + settings.tolerancePercent().toPlainString() + " %";
        return new Result(expected, reportedBaseM3, dev, error, reason);
    }
}
