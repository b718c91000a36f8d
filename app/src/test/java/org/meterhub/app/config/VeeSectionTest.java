package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.vee.VeeSettings;

class VeeSectionTest {
    @Test
    void withoutTheSectionTheRulesValidateWithTheDefaultsAndTheFileChangesEachThreshold() {
        assertThat(new ConfigLoader().parse("g.yaml", "zone: Europe/Athens\n", GatewayConfig.class).ruleOptions().vee())
                .isEqualTo(VeeSettings.defaults()).isEqualTo(new VeeSettings(Duration.ofDays(30), Duration.ofMinutes(10), 1));
        VeeSettings s = new ConfigLoader().parse("g.yaml", """
                vee:
                  stuck-after: 45d
                  max-clock-skew: 2m
                  unit-tolerance-percent: 3
                """, GatewayConfig.class).ruleOptions().vee();
        assertThat(s).isEqualTo(new VeeSettings(Duration.ofDays(45), Duration.ofMinutes(2), 3));
    }

    @Test
    void badValuesAreOneLineNamingFileLineAndField() {
        String[][] cases = {
                {"vee:\n  stuck-after: 0d\n", "g.yaml:2", "vee.stuck-after: expected a positive duration, got 0s"},
                {"vee:\n  stuck-after: 12h\n", "g.yaml:2", "vee.stuck-after: expected 1d to 366d, got 12h"},
                {"vee:\n  max-clock-skew: -5m\n", "g.yaml:2", "vee.max-clock-skew: expected a duration such as"},
                {"vee:\n  max-clock-skew: 2d\n", "g.yaml:2", "vee.max-clock-skew: expected 1ms to 1d, got 2d"},
                {"vee:\n  unit-tolerance-percent: 51\n", "g.yaml:2", "vee.unit-tolerance-percent: expected an integer from 0 to 50, got 51"},
                {"vee:\n  unit-tolerance-percent: one\n", "g.yaml:2", "vee.unit-tolerance-percent:"},
                {"vee:\n  spike: 2\n", "g.yaml:2", "vee: unknown field \"spike\""},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> new ConfigLoader().parse("g.yaml", c[0], GatewayConfig.class)).as(c[0])
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(c[1]).hasMessageContaining(c[2])
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }
}
