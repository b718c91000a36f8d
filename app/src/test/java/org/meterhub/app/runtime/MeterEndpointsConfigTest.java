package org.meterhub.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.junit.jupiter.api.Test;

/** Per-meter schedule settings reach the poller: YAML → MeterSection → MeterEndpoint / PollSettings. */
class MeterEndpointsConfigTest {
    @Test
    void readIntervalSettlementDayAndFirstPollSpreadAreCarriedThrough() {
        GatewayConfig c = new ConfigLoader().parse("gateway.yaml", """
                poll:
                  interval: 10m
                  jitter: 20s
                  first-poll-spread: 10m
                buses:
                  - dtu: D1
                    meters:
                      - id: "30000000000001"
                        read-interval: 1h
                        settlement-day: 5
                      - id: "30000000000002"
                  - dtu: D2
                    protocol: modbus-rtu
                    meters:
                      - id: EVC-1
                        unit: 3
                        read-interval: 2m
                """, GatewayConfig.class);
        MeterEndpoints endpoints = new MeterEndpoints();
        MeterEndpoint a = endpoints.of(c.buses().get(0).meters().get(0));
        MeterEndpoint b = endpoints.of(c.buses().get(0).meters().get(1));
        MeterEndpoint evc = endpoints.of(c.buses().get(1).meters().get(0));
        assertThat(a.readInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(a.settlementDay()).isEqualTo(5);
        assertThat(b.readInterval()).isNull();
        assertThat(b.hasSettlementDay()).isFalse();
        assertThat(evc.readInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(evc.hasSettlementDay()).isFalse();
        PollSettings poll = SingleBox.pollSettings(c.poll());
        assertThat(poll.interval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(poll.jitter()).isEqualTo(Duration.ofSeconds(20));
        assertThat(poll.firstPollSpread()).isEqualTo(Duration.ofMinutes(10));
    }
}
