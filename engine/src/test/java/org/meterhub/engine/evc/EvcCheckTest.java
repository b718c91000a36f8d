package org.meterhub.engine.evc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class EvcCheckTest {
    private final EvcCheck check = new EvcCheck(EvcCheck.Settings.defaults());

    @Test
    void atBaseConditionsBaseVolumeEqualsLineVolume() {
        EvcCheck.Result r = check.check(new BigDecimal("100"), new BigDecimal("100"), new BigDecimal("101.325"),
                new BigDecimal("20"));
        assertThat(r.expectedBaseM3()).isEqualByComparingTo("100");
        assertThat(r.conversionError()).isFalse();
    }

    @Test
    void correctConversionAtLinePressurePasses() {
        // 100 m³ at 300 kPa abs and 5 °C: 100 * 300/101.325 * 293.15/278.15 = 312.0437... m³
        EvcCheck.Result r = check.check(new BigDecimal("100"), new BigDecimal("312.04"), new BigDecimal("300"),
                new BigDecimal("5"));
        assertThat(r.expectedBaseM3().setScale(3, java.math.RoundingMode.HALF_UP)).isEqualByComparingTo("312.044");
        assertThat(r.conversionError()).isFalse();
    }

    @Test
    void converterOffByMoreThanHalfAPercentIsFlagged() {
        EvcCheck.Result r = check.check(new BigDecimal("100"), new BigDecimal("314.00"), new BigDecimal("300"),
                new BigDecimal("5"));
        assertThat(r.deviationPercent()).isEqualByComparingTo("0.6269");
        assertThat(r.conversionError()).isTrue();
        assertThat(r.reason()).contains("beyond 0.5 %");
    }
}
