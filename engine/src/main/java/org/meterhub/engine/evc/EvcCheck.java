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

    /**
     * @param basePressureKpa   pb, absolute (China: 101.325 kPa)
     * @param baseTemperatureK  Tb (China: 20 °C = 293.15 K)
     * @param tolerancePercent  |deviation| above this is a conversion error
     * @param minLineVolumeL    the running check judges a window once this much line (or base) volume has
     *                          passed: the registers count whole litres, so a window of V litres carries up
     *                          to about 2/V of quantisation error (0.2 % at the default 1 000 L)
     */
    public record Settings(BigDecimal basePressureKpa, BigDecimal baseTemperatureK, BigDecimal tolerancePercent,
                           long minLineVolumeL) {
        public Settings {
            Objects.requireNonNull(basePressureKpa, "basePressureKpa");
            Objects.requireNonNull(baseTemperatureK, "baseTemperatureK");
            Objects.requireNonNull(tolerancePercent, "tolerancePercent");
            if (basePressureKpa.signum() <= 0 || baseTemperatureK.signum() <= 0 || tolerancePercent.signum() < 0) {
                throw new IllegalArgumentException("base conditions must be positive, tolerance not negative");
            }
            if (minLineVolumeL < 1) throw new IllegalArgumentException("minLineVolumeL must be at least 1 L");
        }

        /** With the default window of {@link #DEFAULT_MIN_LINE_VOLUME_L}. */
        public Settings(BigDecimal basePressureKpa, BigDecimal baseTemperatureK, BigDecimal tolerancePercent) {
            this(basePressureKpa, baseTemperatureK, tolerancePercent, DEFAULT_MIN_LINE_VOLUME_L);
        }

        public static final long DEFAULT_MIN_LINE_VOLUME_L = 1_000;

        public static Settings defaults() {
            return new Settings(new BigDecimal("101.325"), new BigDecimal("293.15"), new BigDecimal("0.5"));
        }

        /** Tb in °C. */
        public BigDecimal baseTemperatureCelsius() {
            return baseTemperatureK.subtract(KELVIN);
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
        return judge(reportedBaseM3, expectedBaseM3(lineVolumeM3, pressureKpaAbs, temperatureCelsius));
    }

    public Settings settings() {
        return settings;
    }

    /** Vm·(P/Pb)·(Tb/T) in m³, to 16 significant digits. */
    public BigDecimal expectedBaseM3(BigDecimal lineVolumeM3, BigDecimal pressureKpaAbs, BigDecimal temperatureCelsius) {
        BigDecimal t = temperatureCelsius.add(KELVIN);
        if (pressureKpaAbs.signum() <= 0 || t.signum() <= 0) throw new IllegalArgumentException("pressure and temperature must be physical");
        return lineVolumeM3.multiply(pressureKpaAbs).multiply(settings.baseTemperatureK())
                .divide(settings.basePressureKpa().multiply(t), MC);
    }

    /** The reported base volume against an expected one (e.g. a sum of {@link #expectedBaseM3} over a window). */
    public Result judge(BigDecimal reportedBaseM3, BigDecimal expected) {
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
