package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.meterhub.protocol.cjt188.TestVectors.bytes;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Cjt188ExplainerTest {

    @Test
    void goodGasReplyListsEveryField() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explainHex(TestVectors.GAS_901F);

        assertThat(e.ok()).isTrue();
        assertThat(e.problems()).isEmpty();
        assertThat(e.fields()).extracting(Cjt188Explainer.Field::name).containsExactly(
                "preamble", "start", "T", "A", "C", "L", "DI", "SER", "current cumulative",
                "settlement-day cumulative", "meter time", "ST", "CS", "end");
        Map<String, Cjt188Explainer.Field> byName = byName(e);
        assertThat(byName.get("preamble").rawHex()).isEqualTo("FE FE");
        assertThat(byName.get("T").meaning()).contains("gas");
        assertThat(byName.get("A").rawHex()).isEqualTo("01 00 00 05 08 00 00");
        assertThat(byName.get("A").meaning()).contains("00000805000001");
        assertThat(byName.get("C").meaning()).contains("bit7=1 from meter", "bit6=0", "bit5=0", "function 0x01 read data");
        assertThat(byName.get("L").meaning()).isEqualTo("22 data bytes");
        assertThat(byName.get("DI").rawHex()).isEqualTo("1F 90");
        assertThat(byName.get("DI").meaning()).contains("901F", "current data", "low byte first");
        assertThat(byName.get("current cumulative").rawHex()).isEqualTo("56 34 12 00 2C");
        assertThat(byName.get("current cumulative").meaning()).isEqualTo("1234.56 m³");
        assertThat(byName.get("settlement-day cumulative").meaning()).isEqualTo("1200.00 m³");
        assertThat(byName.get("meter time").meaning()).isEqualTo("2026-11-23T08:00");
        assertThat(byName.get("ST").meaning()).contains("valve closed", "LOW BATTERY");
        assertThat(byName.get("CS").rawHex()).isEqualTo("7A");
        assertThat(byName.get("CS").meaning()).isEqualTo("given 0x7A, computed 0x7A: ok");
        assertThat(e.message()).containsInstanceOf(GasWaterCurrentData.class);
    }

    @Test
    void badChecksumIsNamedAndTheRestStillListed() {
        byte[] frame = bytes(TestVectors.V3);
        frame[14] = 0x3A;

        Cjt188Explainer.Explanation e = Cjt188Explainer.explain(frame);

        assertThat(e.ok()).isFalse();
        assertThat(e.problems()).containsExactly("checksum mismatch: frame says 0x3A, computed 0x39");
        assertThat(byName(e).get("CS").meaning()).isEqualTo("given 0x3A, computed 0x39: WRONG");
        assertThat(byName(e).get("DI").meaning()).contains("901F");
        assertThat(e.message()).isEmpty();
    }

    @Test
    void missingEndByteIsNamedWithItsOffset() {
        byte[] frame = bytes("FE FE " + TestVectors.V3);
        frame[17] = 0x15;

        assertThat(Cjt188Explainer.explain(frame).problems())
                .containsExactly("missing end byte 0x16 at offset 17 (found 0x15)");
    }

    @Test
    void captureThatStopsBeforeTheEndByte() {
        byte[] full = bytes(TestVectors.V3);
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 1);

        assertThat(Cjt188Explainer.explain(cut).problems())
                .containsExactly("missing end byte 0x16 at offset 15 (the capture ends there)");
    }

    @Test
    void lengthFieldThatDisagreesWithTheData() {
        byte[] wire = Cjt188Frames.encode(Cjt188Messages.encode(
                new WriteDataReply(0x10, TestVectors.METER, Cjt188Di.WRITE_VALVE, 1, DiOrder.HIGH_FIRST, 0)), 0);
        wire[10] = 0x13;

        Cjt188Explainer.Explanation e = Cjt188Explainer.explain(wire);

        assertThat(e.problems()).containsExactly("length field L=0x13 but 5 data bytes present");
        assertThat(byName(e).get("data").meaning()).contains("only 7 of 19 bytes present");
    }

    @Test
    void noStartByte() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explain("HB\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        assertThat(e.ok()).isFalse();
        assertThat(e.problems()).singleElement().asString().startsWith("no start byte 0x68");
        assertThat(e.fields()).extracting(Cjt188Explainer.Field::name).containsExactly("unparsed");
    }

    @Test
    void garbageBeforeTheFrameIsShownAndTheFrameStillExplained() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explainHex("48 42 0A " + TestVectors.V2);

        assertThat(e.problems()).containsExactly(
                "no start byte 0x68 at offset 0 (found 0x48); 3 bytes skipped up to the 0x68 at offset 3");
        assertThat(byName(e).get("garbage").rawHex()).isEqualTo("48 42 0A");
        assertThat(byName(e).get("A").meaning()).contains("00000805000001");
        assertThat(e.message()).isEmpty();
    }

    @Test
    void truncatedHeader() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explainHex("FE 68 10 01 00 00");

        assertThat(e.problems()).singleElement().asString().startsWith("truncated frame: 5 bytes from the start byte");
        assertThat(e.fields()).extracting(Cjt188Explainer.Field::name).containsExactly("preamble", "start", "T", "A");
        assertThat(byName(e).get("A").meaning()).contains("incomplete");
    }

    @Test
    void trailingBytesAfterTheEndByte() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explainHex(TestVectors.V2 + " 00 01");

        assertThat(e.problems()).containsExactly("2 unexpected bytes after the end byte at offset 15");
        assertThat(byName(e).get("trailing").rawHex()).isEqualTo("00 01");
    }

    @Test
    void addressThatIsNotBcd() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explainHex("68 10 1A 00 00 05 08 00 00 01 03 1F 90 00 52 16");

        assertThat(e.problems()).containsExactly("address byte A0=0x1A is not BCD");
        assertThat(byName(e).get("A").meaning()).startsWith("invalid");
        assertThat(byName(e).get("CS").meaning()).endsWith(": ok");
    }

    @Test
    void bodyThatIsNotBcdIsNamedByField() {
        Cjt188Explainer.Explanation e = Cjt188Explainer.explainHex(TestVectors.GAS_901F_BAD_BCD);

        assertThat(e.ok()).isFalse();
        assertThat(e.problems()).singleElement().asString()
                .startsWith("current cumulative: 5A 34 12 00 is not BCD");
        assertThat(e.fields()).extracting(Cjt188Explainer.Field::name)
                .contains("DI", "SER", "undecoded data", "CS", "end");
    }

    @Test
    void problemsAreWordedAsInTheStrictDecoder() {
        for (String hex : List.of(TestVectors.V3.replace("39 16", "38 16"), "48 42 0A", TestVectors.V2 + " 00",
                "68 10 1A 00 00 05 08 00 00 01 03 1F 90 00 52 16")) {
            byte[] capture = bytes(hex);
            String first = Cjt188Explainer.explain(capture).problems().get(0);
            assertThatThrownBy(() -> Cjt188Frames.decode(capture)).isInstanceOf(Cjt188Exception.class).hasMessage(first);
        }
    }

    @Test
    void textIsAnAlignedTable() {
        String text = Cjt188Explainer.explainHex(TestVectors.V1).toText();

        List<String> lines = text.lines().collect(Collectors.toList());
        assertThat(lines.get(0)).isEqualTo("CJ/T 188 frame: OK");
        int rawColumn = lines.get(1).indexOf("raw");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("A").contains("wildcard"));
        for (String line : lines.subList(2, lines.indexOf(lines.stream().filter(l -> l.startsWith("message:")).findFirst().orElseThrow()))) {
            assertThat(line.charAt(rawColumn - 1)).as(line).isEqualTo(' ');
            assertThat(line.charAt(rawColumn)).as(line).isNotEqualTo(' ');
        }
        assertThat(text).contains("message: ReadAddressRequest");
    }

    @Test
    void textListsProblemsOfABadFrame() {
        String text = Cjt188Explainer.explainHex(TestVectors.V3.replace("39 16", "38 16")).toText();

        assertThat(text).startsWith("CJ/T 188 frame: INVALID").contains("problems:\n  - checksum mismatch: frame says 0x38, computed 0x39");
    }

    @Test
    void jsonEscapesAndIsComplete() {
        String json = Cjt188Explainer.explainHex(TestVectors.GAS_901F).toJson();

        assertThat(json).startsWith("{\"ok\":true,\"fields\":[{\"name\":\"preamble\",\"raw\":\"FE FE\",")
                .contains("{\"name\":\"current cumulative\",\"raw\":\"56 34 12 00 2C\",\"meaning\":\"1234.56 m\\u00b3\"}")
                .contains("\"problems\":[]")
                .contains("\"message\":{\"type\":\"GasWaterCurrentData\"")
                .endsWith("}");
        assertThat(Cjt188Explainer.explainHex("00").toJson()).contains("\"ok\":false").endsWith("\"message\":null}");
    }

    @Test
    void jsonStringEscaping() {
        StringBuilder sb = new StringBuilder();
        ExplanationFormat.string(sb, "a\"b\\c\nd\te\u0001f°");
        assertThat(sb.toString()).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u00b0\"");
    }

    private static Map<String, Cjt188Explainer.Field> byName(Cjt188Explainer.Explanation e) {
        return e.fields().stream().collect(Collectors.toMap(Cjt188Explainer.Field::name, f -> f, (a, b) -> a));
    }
}
