package org.meterhub.app.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.meterhub.app.Main;

class DecodeModbusTest {

    private static String[] run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void goodRequestExitsZeroAndBadCrcExitsOne() {
        String[] ok = run("decode", "modbus-rtu", "01 03 00 00 00 0D 84 0F");
        assertThat(ok[0]).isEqualTo("0");
        assertThat(ok[1]).contains("Modbus RTU frame: OK (read holding registers request)").contains("13 registers");
        String[] bad = run("decode", "modbus-rtu", "--json", "01 03 00 00 00 0D 84 0E");
        assertThat(bad[0]).isEqualTo("1");
        assertThat(bad[1]).startsWith("{\"ok\":false").contains("CRC wrong: frame carries 0x0E84, bytes compute to 0x0F84");
    }

    @Test
    void responseWithTheBuiltInProfile() {
        // unit 1, 13 registers: Vm 1.000 m3, Vb 0.990 m3, Qm 12.5, p 103.325, T 12.0, status 0, time 0x6AFD6B80
        String[] r = run("decode", "modbus-rtu", "--profile", "evc-basic",
                "01031A000003E8000003DE414800000042CEA666414000000000006AFD6B80");
        String crcFixed = r[1];
        assertThat(crcFixed).contains("evc-basic.vb").contains("0.99 m3 (volume");
        assertThat(r[1]).contains("CRC");
    }

    @Test
    void unknownProtocolIsAUsageError() {
        assertThat(run("decode", "modbus-ascii", "01")[0]).isEqualTo("2");
    }
}
