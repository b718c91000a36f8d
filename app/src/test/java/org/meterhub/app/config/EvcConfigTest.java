package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.evc.EvcCheck;

/** The gateway YAML's evc section: the conversion check's tolerance, base conditions and window. */
class EvcConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private GatewayConfig parse(String yaml) {
        return loader.parse("gateway.yaml", yaml, GatewayConfig.class);
    }

    @Test
    void withoutTheSectionTheCheckRunsOnTheDomainDefaults() {
        EvcCheck.Settings s = parse("zone: Asia/Shanghai\n").evc().settings();
        EvcCheck.Settings d = EvcCheck.Settings.defaults();
        assertThat(s.tolerancePercent()).isEqualByComparingTo(d.tolerancePercent()).isEqualByComparingTo("0.5");
        assertThat(s.basePressureKpa()).isEqualByComparingTo("101.325");
        assertThat(s.baseTemperatureK()).isEqualByComparingTo("293.15");
        assertThat(s.minLineVolumeL()).isEqualTo(1_000);
    }

    @Test
    void everySettingIsReadExactly() {
        EvcCheck.Settings s = parse("""
                evc:
                  tolerance-percent: 0.75
                  base-pressure-kpa: 101.325
                  base-temperature-c: 15
                  min-volume-l: 5000
                """).evc().settings();
        assertThat(s.tolerancePercent()).isEqualTo(new BigDecimal("0.75"));
        assertThat(s.baseTemperatureK()).isEqualByComparingTo("288.15");
        assertThat(s.baseTemperatureCelsius()).isEqualByComparingTo("15");
        assertThat(s.minLineVolumeL()).isEqualTo(5_000);
    }

    @Test
    void aValueOutOfRangeOrOfTheWrongKindIsOneLineNamingFileLineAndField() {
        assertThatThrownBy(() -> parse("zone: Asia/Shanghai\nevc:\n  tolerance-percent: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("gateway.yaml:3: evc.tolerance-percent: expected a percentage from 0.01 to 10, got 0");
        assertThatThrownBy(() -> parse("evc:\n  base-pressure-kpa: 1013.25\n"))
                .hasMessage("gateway.yaml:2: evc.base-pressure-kpa: expected an absolute pressure in kPa from 50 to 200, got 1013.25");
        assertThatThrownBy(() -> parse("evc:\n  base-temperature-c: 293.15\n"))
                .hasMessage("gateway.yaml:2: evc.base-temperature-c: expected a temperature in °C from -20 to 40, got 293.15");
        assertThatThrownBy(() -> parse("evc:\n  min-volume-l: 0\n"))
                .hasMessage("gateway.yaml:2: evc.min-volume-l: expected litres from 1 to 10000000, got 0");
        assertThatThrownBy(() -> parse("evc:\n  tolerance-percent: half\n"))
                .hasMessageStartingWith("gateway.yaml:2: evc.tolerance-percent: expected a decimal number");
        assertThatThrownBy(() -> parse("evc:\n  tolerance: 0.5\n"))
                .hasMessageStartingWith("gateway.yaml:2: evc: unknown field \"tolerance\"; expected one of: base-pressure-kpa,"
                        + " base-temperature-c, min-volume-l, tolerance-percent");
    }
}
