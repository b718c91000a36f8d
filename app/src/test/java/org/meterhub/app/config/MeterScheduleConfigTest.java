package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Per-meter read interval, settlement day and the first-poll spread in the gateway YAML. */
class MeterScheduleConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private String error(String yaml) {
        try {
            loader.parse("gateway.yaml", yaml, GatewayConfig.class);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception");
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void perMeterIntervalAndSettlementDayAreRead() {
        GatewayConfig c = loader.parse("gateway.yaml", """
                poll:
                  interval: 15m
                  jitter: 30s
                  first-poll-spread: 15m
                buses:
                  - dtu: D1
                    meters:
                      - id: "30000000000001"
                        read-interval: 1h
                        settlement-day: 20
                      - id: "30000000000002"
                serial:
                  - port: /dev/ttyUSB0
                    protocol: modbus-rtu
                    meters:
                      - id: EVC-1
                        unit: 1
                        read-interval: 5m
                """, GatewayConfig.class);
        assertThat(c.poll().interval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.poll().firstPollSpread()).isEqualTo(Duration.ofMinutes(15));
        GatewayConfig.MeterSection first = c.buses().get(0).meters().get(0);
        assertThat(first.readInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(first.settlementDay()).isEqualTo(20);
        GatewayConfig.MeterSection second = c.buses().get(0).meters().get(1);
        assertThat(second.readInterval()).isNull();
        assertThat(second.settlementDay()).isNull();
        assertThat(c.serial().get(0).meters().get(0).readInterval()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void firstPollSpreadDefaultsToTheJitterAndMayBeZero() {
        assertThat(loader.parse("gateway.yaml", "poll:\n  jitter: 7s\n", GatewayConfig.class).poll().firstPollSpread())
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(GatewayConfig.defaults().poll().firstPollSpread()).isEqualTo(Duration.ofSeconds(30));
        assertThat(loader.parse("gateway.yaml", "poll:\n  first-poll-spread: 0s\n", GatewayConfig.class).poll()
                .firstPollSpread()).isZero();
    }

    @Test
    void mistakesNameFileLineFieldAndWhatWasExpected() {
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n        settlement-day: 31\n"))
                .isEqualTo("gateway.yaml:5: buses[0].meters[0].settlement-day: expected a day of month from 1 to 28, got 31");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n        settlement-day: 0\n"))
                .isEqualTo("gateway.yaml:5: buses[0].meters[0].settlement-day: expected a day of month from 1 to 28, got 0");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n        settlement-day: first\n"))
                .startsWith("gateway.yaml:5: buses[0].meters[0].settlement-day: expected a whole number");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n        read-interval: 0s\n"))
                .isEqualTo("gateway.yaml:5: buses[0].meters[0].read-interval: expected a positive duration, got 0s");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n        read-interval: hourly\n"))
                .startsWith("gateway.yaml:5: buses[0].meters[0].read-interval: expected a duration such as 250ms");
        assertThat(error("modbus:\n  - connect: h:502\n    meters:\n      - id: E\n        unit: 1\n        settlement-day: 1\n"))
                .startsWith("gateway.yaml:6: modbus[0].meters[0].settlement-day: applies to CJ/T 188 meters only");
        assertThat(error("poll:\n  first-poll-spread: soon\n"))
                .startsWith("gateway.yaml:2: poll.first-poll-spread: expected a duration such as 250ms");
    }
}
