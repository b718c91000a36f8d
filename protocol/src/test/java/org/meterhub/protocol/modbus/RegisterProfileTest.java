package org.meterhub.protocol.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegisterProfileTest {

    @Test
    void evcBasicIsTheMapOfProtocolsSection4() {
        RegisterProfile p = RegisterProfiles.builtIn("evc-basic");
        assertThat(p.fields()).extracting(RegisterField::address).containsExactly(0, 2, 4, 6, 8, 10, 11);
        assertThat(p.volume().name()).isEqualTo("vb");
        assertThat(p.field("vm").orElseThrow().meaning()).isEqualTo(FieldMeaning.UNCONVERTED_VOLUME);
        assertThat(p.field("qm").orElseThrow().type()).isEqualTo(RegisterType.FLOAT32);
        assertThat(p.field("status").orElseThrow().statusBits()).containsEntry(0, "low-battery").containsEntry(4, "over-flow");
        assertThat(p.blocks()).containsExactly(new RegisterProfile.Block(3, 0, 13));
    }

    @Test
    void decodesEveryTypeExactly() {
        RegisterProfile p = RegisterProfiles.builtIn("evc-basic");
        int[] regs = new int[13];
        // Vm = 123456.789 m3 = 123456789 L; Vb = 4294967.295 m3 (uint32 max, no sign)
        put(regs, 0, RegisterDecoder.encode(p.field("vm").orElseThrow(), 123_456_789L));
        put(regs, 2, new int[] {0xFFFF, 0xFFFF});
        put(regs, 4, RegisterDecoder.encodeFloat(p.field("qm").orElseThrow(), 12.5f));
        put(regs, 6, new int[] {0x42CE, 0xA666}); // 103.325 kPa as float32 big-endian
        put(regs, 8, RegisterDecoder.encodeFloat(p.field("temperature").orElseThrow(), -3.5f));
        regs[10] = 0b1001; // low battery + tamper
        put(regs, 11, RegisterDecoder.encode(p.field("time").orElseThrow(), 1_795_000_000L));
        Map<String, FieldValue> v = RegisterDecoder.decodeAll(p, List.of(regs));
        assertThat(v.get("vm").litres()).isEqualTo(123_456_789L);
        assertThat(v.get("vb").litres()).isEqualTo(4_294_967_295L);
        assertThat(v.get("vb").value()).isEqualByComparingTo("4294967.295");
        assertThat(v.get("qm").value()).isEqualByComparingTo("12.5");
        assertThat(v.get("pressure").value()).isEqualByComparingTo("103.325");
        assertThat(v.get("temperature").value()).isEqualByComparingTo("-3.5");
        assertThat(v.get("status").setBits()).containsExactly("low-battery", "tamper");
        assertThat(v.get("time").raw()).isEqualTo(1_795_000_000L);
    }

    @Test
    void wordOrdersRoundTripAndDiffer() {
        int bits = 0x11223344;
        assertThat(WordOrder.ABCD.split(bits)).containsExactly(0x1122, 0x3344);
        assertThat(WordOrder.CDAB.split(bits)).containsExactly(0x3344, 0x1122);
        assertThat(WordOrder.BADC.split(bits)).containsExactly(0x2211, 0x4433);
        assertThat(WordOrder.DCBA.split(bits)).containsExactly(0x4433, 0x2211);
        for (WordOrder o : WordOrder.values()) {
            int[] w = o.split(bits);
            assertThat(o.combine(w[0], w[1])).isEqualTo(bits);
        }
    }

    @Test
    void signedAndScaledValues() {
        RegisterField int16 = new RegisterField("t", 0, 4, RegisterType.INT16, WordOrder.ABCD, new BigDecimal("0.1"), "°C",
                FieldMeaning.TEMPERATURE, Map.of());
        assertThat(RegisterDecoder.decode(int16, new int[] {0xFFF6}, 0).value()).isEqualByComparingTo("-1.0");
        RegisterField int32 = new RegisterField("x", 0, 3, RegisterType.INT32, WordOrder.CDAB, new BigDecimal("0.01"), "",
                FieldMeaning.OTHER, Map.of());
        assertThat(RegisterDecoder.decode(int32, new int[] {0xFFFE, 0xFFFF}, 0).value()).isEqualByComparingTo("-0.02");
    }

    @Test
    void aNewModelIsACsvFileWithPreciseErrors() {
        String csv = """
                # a water meter with input registers, low word first
                name,address,function,type,order,scale,unit,meaning,bits,description
                total,100,4,uint32,low-first,0.1,L,volume,,total volume
                flow,110,4,float32,CDAB,1,L/h,flow,,
                """;
        RegisterProfile p = RegisterProfiles.parse("wm", "wm.csv", csv);
        assertThat(p.blocks()).containsExactly(new RegisterProfile.Block(4, 100, 12));
        assertThatThrownBy(() -> RegisterProfiles.parse("x", "x.csv", csv.replace("uint32,low-first", "uint33,low-first")))
                .isInstanceOf(ProfileException.class).hasMessage("x.csv:3: type: expected one of uint16, int16, uint32, int32, float32, float64, got \"uint33\"");
        assertThatThrownBy(() -> RegisterProfiles.parse("x", "x.csv", csv.replace("float32,CDAB,1,L/h,flow", "uint32,CDAB,1,L,volume")))
                .isInstanceOf(ProfileException.class).hasMessageContaining("exactly one field with meaning volume");
        assertThatThrownBy(() -> RegisterProfiles.parse("x", "x.csv", csv.replace("total,100,4,uint32", "total,100,4,float32")))
                .isInstanceOf(ProfileException.class).hasMessageContaining("resolution: a float32 volume needs a resolution");
        assertThatThrownBy(() -> RegisterProfiles.parse("x", "x.csv", csv.replace("flow,110", "flow,101")))
                .isInstanceOf(ProfileException.class).hasMessageContaining("overlap at register 101");
        assertThatThrownBy(() -> RegisterProfiles.parse("x", "x.csv", csv.replace("total,100,4", "total,abc,4")))
                .isInstanceOf(ProfileException.class).hasMessage("x.csv:3: address: expected a number, got \"abc\"");
    }

    @Test
    void volumeThatIsNotWholeLitresIsRefused() {
        RegisterField f = new RegisterField("v", 0, 3, RegisterType.UINT32, WordOrder.ABCD, new BigDecimal("0.0001"), "m3",
                FieldMeaning.VOLUME, Map.of());
        FieldValue v = RegisterDecoder.decode(f, new int[] {0, 12345}, 0);
        assertThatThrownBy(v::litres).isInstanceOf(ArithmeticException.class);
        assertThat(RegisterDecoder.decode(f, new int[] {0, 12340}, 0).litres()).isEqualTo(1234L);
    }

    private static void put(int[] regs, int at, int[] words) {
        System.arraycopy(words, 0, regs, at, words.length);
    }
}
