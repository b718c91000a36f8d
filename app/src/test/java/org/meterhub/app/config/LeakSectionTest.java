package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.vee.MeterClass;

class LeakSectionTest {
    @Test
    void thresholdsPerMediumAndClassReachTheEngine() {
        GatewayConfig c = new ConfigLoader().parse("g.yaml", """
                zone: Europe/Athens
                leak:
                  water: {continuous-hours: 36, nights: 3}
                  classes:
                    DN20: {medium: water, burst-percent-of-qmax: 40}
                  valve-close-on: [gas-detector, burst]
                """, GatewayConfig.class);
        LeakProfile.Settings s = c.ruleOptions().leaks();
        assertThat(s.byMedium().get(Medium.WATER).continuousHours()).isEqualTo(36);
        assertThat(s.byMedium().get(Medium.WATER).nights()).isEqualTo(3);
        assertThat(s.byMedium().get(Medium.GAS)).isEqualTo(LeakProfile.Params.gas());
        MeterClass dn20 = new MeterClass("DN20", Medium.WATER, 5_000, 4_000, new java.math.BigDecimal("2"), false, false);
        assertThat(LeakProfile.of(dn20, s).burstMinLph()).isEqualTo(2_000);
        assertThat(c.ruleOptions().valves().closeOn()).containsExactlyInAnyOrder(AlarmKind.GAS_DETECTOR, AlarmKind.BURST);
        assertThat(c.ruleOptions().zone()).hasToString("Europe/Athens");
        assertThat(c.ruleOptions().maxBackfill()).as("late days judged as far back as the gateway trusts a ts")
                .isEqualTo(java.time.Duration.ofDays(7));
    }

    @Test
    void lateDaysAreJudgedAsFarBackAsClockMaxBackfill() {
        GatewayConfig c = new ConfigLoader().parse("g.yaml", """
                clock:
                  max-backfill: 3d
                """, GatewayConfig.class);
        assertThat(c.ruleOptions().maxBackfill()).isEqualTo(java.time.Duration.ofDays(3));
    }

    @Test
    void aBadThresholdIsOneLineNamingFileLineAndField() {
        assertThatThrownBy(() -> new ConfigLoader().parse("g.yaml", """
                leak:
                  water:
                    nights: 0
                """, GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("g.yaml:").hasMessageContaining("water.nights: expected 1 to 30");
    }

    @Test
    void theHourFloorIsSetFromTheFileAndABadWindowIsOneLineNamingTheField() {
        GatewayConfig c = new ConfigLoader().parse("g.yaml", """
                leak:
                  gas: {floor-min-flow-mlph: 30000, floor-margin-mlph: 10000, floor-hours: 96, floor-blocks: 4,
                        floor-block-hours: 24, floor-tolerance-percent: 5, floor-held-hours: 3,
                        floor-held-below-mlph: 250000}
                  water: {floor-min-flow-mlph: 2000}
                """, GatewayConfig.class);
        LeakProfile.Params gas = c.ruleOptions().leaks().byMedium().get(Medium.GAS);
        assertThat(gas.floorMinMlph()).isEqualTo(30_000);
        assertThat(gas.floorMarginMlph()).isEqualTo(10_000);
        assertThat(gas.floorHours()).isEqualTo(96);
        assertThat(gas.floorBlocks()).isEqualTo(4);
        assertThat(gas.floorBlockHours()).isEqualTo(24);
        assertThat(gas.floorTolerancePercent()).isEqualTo(5);
        assertThat(gas.floorHeldHours()).isEqualTo(3);
        assertThat(gas.floorHeldBelowMlph()).isEqualTo(250_000);
        assertThat(c.ruleOptions().leaks().byMedium().get(Medium.WATER).floorMinMlph())
                .as("off by default for water, on when the file says so").isEqualTo(2_000);
        assertThat(LeakProfile.Params.water().floorMinMlph()).isZero();

        assertThatThrownBy(() -> new ConfigLoader().parse("g.yaml", """
                leak:
                  gas: {floor-hours: 100}
                """, GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("g.yaml:").hasMessageContaining("floor-hours: expected 24 to 336")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> new ConfigLoader().parse("g.yaml", """
                leak:
                  gas: {floor-held-hours: 5}
                """, GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("g.yaml:").hasMessageContaining("floor-held-hours: expected 1 to 4")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theDetectorsAreOnUnlessTheFileSaysEnabledFalseAndAnythingElseThanABooleanIsRefused() {
        assertThat(GatewayConfig.defaults().ruleOptions().leakDetection()).as("on by default").isTrue();
        assertThat(new ConfigLoader().parse("g.yaml", """
                leak:
                  water: {nights: 3}
                """, GatewayConfig.class).ruleOptions().leakDetection()).isTrue();
        GatewayConfig off = new ConfigLoader().parse("g.yaml", """
                leak:
                  enabled: false
                """, GatewayConfig.class);
        assertThat(off.ruleOptions().leakDetection()).isFalse();
        assertThat(off.ruleOptions().leaks()).as("thresholds unchanged").isEqualTo(LeakProfile.Settings.defaults());
        assertThat(off.ruleOptions().maxBackfill()).isEqualTo(java.time.Duration.ofDays(7));

        assertThatThrownBy(() -> new ConfigLoader().parse("g.yaml", """
                leak:
                  enabled: maybe
                """, GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("g.yaml:").hasMessageContaining("enabled")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
