package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The southbound parts of the gateway YAML: serial lines, Modbus devices, per-DTU protocol, admin. */
class SouthboundConfigTest {
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
    void defaultsLeaveNoLocalBusesAndALoopbackAdminEndpoint() {
        GatewayConfig c = loader.parse("gateway.yaml", "", GatewayConfig.class);
        assertThat(c.serial()).isEmpty();
        assertThat(c.modbus()).isEmpty();
        assertThat(c.admin().listen()).isEqualTo("127.0.0.1:7701");
        assertThat(c.admin().enabled()).isTrue();
    }

    @Test
    void everyKindOfBusIsRead() {
        GatewayConfig c = loader.parse("gateway.yaml", """
                buses:
                  - dtu: MB-1
                    protocol: modbus-rtu
                    meters:
                      - id: EVC-1
                        unit: 7
                serial:
                  - port: /dev/ttyUSB0
                    baud: 2400
                    parity: even
                    inter-frame-delay: 30ms
                    meters:
                      - id: "30000000000001"
                        di-order: low-first
                  - port: /dev/ttyUSB1
                    protocol: modbus-rtu
                    parity: none
                    meters:
                      - id: EVC-2
                        unit: 2
                        profile: evc-basic
                modbus:
                  - connect: 10.0.0.5:502
                    meters:
                      - id: EVC-3
                        unit: 255
                  - connect: 10.0.0.6:4001
                    transport: rtu-over-tcp
                    meters:
                      - id: EVC-4
                        unit: 1
                admin:
                  listen: 127.0.0.1:9000
                """, GatewayConfig.class);
        assertThat(c.buses().get(0).protocol()).isEqualTo("modbus-rtu");
        assertThat(c.buses().get(0).meters().get(0).profile()).isEqualTo("evc-basic");
        assertThat(c.serial().get(0).baud()).isEqualTo(2400);
        assertThat(c.serial().get(0).protocol()).isEqualTo("cjt188");
        assertThat(c.serial().get(0).interFrameDelay()).isEqualTo(Duration.ofMillis(30));
        assertThat(c.serial().get(1).parity()).isEqualTo("none");
        assertThat(c.serial().get(1).interFrameDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(c.modbus().get(0).transport()).isEqualTo("tcp");
        assertThat(c.modbus().get(0).meters().get(0).unit()).isEqualTo(255);
        assertThat(c.modbus().get(1).transport()).isEqualTo("rtu-over-tcp");
        assertThat(c.admin().listen()).isEqualTo("127.0.0.1:9000");
        assertThat(c.withDtu(c.dtu()).serial()).isEqualTo(c.serial());
    }

    @Test
    void mistakesNameTheLineAndTheField() {
        assertThat(error("serial:\n  - port: /dev/ttyS0\n    baud: 300\n"))
                .isEqualTo("gateway.yaml:3: serial[0].baud: expected an integer from 1200 to 115200, got 300");
        assertThat(error("serial:\n  - port: /dev/ttyS0\n    parity: mark\n"))
                .startsWith("gateway.yaml:3: serial[0].parity: expected none, even or odd");
        assertThat(error("buses:\n  - dtu: D1\n    protocol: mbus\n"))
                .startsWith("gateway.yaml:3: buses[0].protocol: expected cjt188 or modbus-rtu");
        assertThat(error("modbus:\n  - connect: nowhere\n"))
                .startsWith("gateway.yaml:2: modbus[0].connect: expected host:port");
        assertThat(error("modbus:\n  - connect: h:502\n    transport: udp\n"))
                .startsWith("gateway.yaml:3: modbus[0].transport: expected tcp or rtu-over-tcp");
        assertThat(error("admin:\n  listen: everywhere\n")).startsWith("gateway.yaml:2: admin.listen: expected host:port");
    }

    @Test
    void metersMustSpeakTheirBusProtocol() {
        assertThat(error("buses:\n  - dtu: D1\n    protocol: modbus-rtu\n    meters:\n      - id: \"30000000000001\"\n"))
                .contains("buses[0]").contains("needs a unit (Modbus slave id)");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: EVC-1\n        unit: 1\n"))
                .contains("buses[0]").contains("protocol is cjt188");
        assertThat(error("serial:\n  - port: /dev/x\n    protocol: modbus-rtu\n    meters:\n      - id: E\n        unit: 250\n"))
                .contains("an RTU slave id is 1..247");
        assertThat(error("modbus:\n  - connect: h:502\n    meters:\n      - id: E\n        unit: 1\n        address: \"30000000000001\"\n"))
                .contains("modbus[0].meters[0].address: a Modbus meter is addressed by unit");
        assertThat(error("modbus:\n  - connect: h:502\n    meters:\n      - id: E\n        unit: 1\n        profile: no-such.csv\n"))
                .contains("modbus[0].meters[0].profile:").contains("neither built in");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n"
                + "serial:\n  - port: /dev/x\n    meters:\n      - id: \"30000000000001\"\n"))
                .contains("meter id \"30000000000001\" appears on more than one bus");
    }

    @Test
    void confirmationReadsAndQmaxAreValidatedSettings() {
        GatewayConfig c = loader.parse("gateway.yaml", "buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n"
                + "        qmax: 6\n      - id: \"30000000000002\"\n", GatewayConfig.class);
        assertThat(c.poll().confirmationReads()).isEqualTo(2);
        assertThat(c.buses().get(0).meters().get(0).qmaxLph()).isEqualTo(6_000L);
        assertThat(c.buses().get(0).meters().get(1).qmaxLph()).isNull();
        assertThat(loader.parse("gateway.yaml", "poll:\n  confirmation-reads: 1\n", GatewayConfig.class).poll()
                .confirmationReads()).isEqualTo(1);
        assertThat(error("poll:\n  confirmation-reads: 0\n"))
                .isEqualTo("gateway.yaml:2: poll.confirmation-reads: expected an integer from 1 to 10, got 0");
        assertThat(error("buses:\n  - dtu: D1\n    meters:\n      - id: \"30000000000001\"\n        qmax: 0\n"))
                .isEqualTo("gateway.yaml:5: buses[0].meters[0].qmax: expected a flow in m³/h from 0.001 to 100000, got 0");
        assertThat(error("modbus:\n  - connect: h:502\n    meters:\n      - id: E\n        unit: 1\n        qmax: 6\n"))
                .isEqualTo("gateway.yaml:6: modbus[0].meters[0].qmax: applies to CJ/T 188 meters only");
    }
}
