package org.meterhub.protocol.modbus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModbusRtuExplainerTest {

    @Test
    void crcOfTheTextbookRequest() {
        byte[] f = ModbusRtu.readRequest(new ModbusRtu.ReadRequest(1, 3, 0, 10));
        assertThat(ModbusExplanationFormat.parseHex("01 03 00 00 00 0A C5 CD")).containsExactly(f);
    }

    @Test
    void explainsARequest() {
        ModbusRtuExplainer.Explanation e = ModbusRtuExplainer.explainHex("01 03 00 00 00 0D 84 0F");
        assertThat(e.problems()).isEmpty();
        assertThat(e.kind()).isEqualTo("read holding registers request");
        assertThat(e.toText()).contains("start address  00 00  0 (0x0000), registers 0..12").contains("quantity       00 0D  13 registers")
                .contains("CRC            84 0F  given 0x0F84 (low byte first), computed 0x0F84: ok");
    }

    @Test
    void explainsAResponseWithTheProfile() {
        int[] words = {0, 1000, 0, 990, 0x4148, 0, 0x42CE, 0xA666, 0x4140, 0, 1, 0x6AFD, 0x6B80};
        byte[] frame = ModbusRtu.readResponse(7, 3, words);
        ModbusRtuExplainer.Explanation e = ModbusRtuExplainer.explain(frame,
                new ModbusRtuExplainer.ProfileHint(RegisterProfiles.builtIn("evc-basic"), 0));
        assertThat(e.ok()).isTrue();
        assertThat(e.toText()).contains("evc-basic.vb").contains("0.99 m3 (volume, uint32 ABCD)")
                .contains("12.5 m3/h (flow").contains("103.325 kPa").contains("set: low-battery")
                .contains("slave (unit) 7");
        assertThat(e.toJson()).startsWith("{\"ok\":true,\"kind\":\"read holding registers response\"");
    }

    @Test
    void saysPreciselyWhatIsWrong() {
        byte[] frame = ModbusRtu.readResponse(1, 3, new int[] {1, 2});
        frame[4] ^= 0x10;
        ModbusRtuExplainer.Explanation bad = ModbusRtuExplainer.explain(frame);
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problems().get(0)).startsWith("CRC wrong: frame carries 0x");

        byte[] truncated = java.util.Arrays.copyOf(ModbusRtu.readResponse(1, 3, new int[] {1, 2, 3}), 9);
        ModbusRtuExplainer.Explanation t = ModbusRtuExplainer.explain(truncated);
        assertThat(t.problems()).anyMatch(p -> p.equals("byte count says 6 data bytes but 4 are present before the CRC (frame is 9 bytes; expected 11)"));

        ModbusRtuExplainer.Explanation ex = ModbusRtuExplainer.explain(ModbusRtu.exceptionResponse(1, 3, 2));
        assertThat(ex.ok()).isTrue();
        assertThat(ex.toText()).contains("exception code  02     2 illegal data address");

        ModbusRtuExplainer.Explanation shortOne = ModbusRtuExplainer.explainHex("01 03");
        assertThat(shortOne.problems()).containsExactly("too short for a Modbus RTU frame: 2 bytes, at least 4 needed (address, function, CRC)");

        ModbusRtuExplainer.Explanation many = ModbusRtuExplainer.explain(ModbusRtu.readRequest(new ModbusRtu.ReadRequest(248, 3, 0, 200)));
        assertThat(many.problems()).contains("slave address 248 is reserved; valid addresses are 1..247 and 0 for broadcast",
                "quantity 200 is outside 1..125, the most one read may ask for");
    }
}
