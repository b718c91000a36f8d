package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MessageRoundTripTest {

    static Stream<Arguments> everyKindOrderAndPreamble() {
        List<Arguments> out = new ArrayList<>();
        for (SampleMessages.Sample sample : SampleMessages.all()) {
            for (DiOrder order : DiOrder.values()) {
                for (int preamble = 0; preamble <= 4; preamble++) {
                    out.add(Arguments.of(sample, order, preamble));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} preamble={2}")
    @MethodSource("everyKindOrderAndPreamble")
    void encodeThenDecodeGivesTheSameMessage(SampleMessages.Sample sample, DiOrder order, int preamble) throws Exception {
        Cjt188Message original = sample.build().apply(order);

        byte[] wire = Cjt188Frames.encode(Cjt188Messages.encode(original), preamble);
        Cjt188Message decoded = Cjt188Messages.decode(Cjt188Frames.decode(wire));

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.getClass()).isEqualTo(original.getClass());
        for (int i = 0; i < preamble; i++) {
            assertThat(wire[i] & 0xFF).isEqualTo(0xFE);
        }
        assertThat(wire[preamble] & 0xFF).isEqualTo(0x68);
        assertThat(Cjt188Frames.encode(Cjt188Messages.encode(decoded), preamble)).containsExactly(wire);
    }

    @Test
    void samplesCoverEveryMessageKind() {
        Set<Class<?>> covered = new HashSet<>();
        for (SampleMessages.Sample s : SampleMessages.all()) {
            covered.add(s.build().apply(DiOrder.HIGH_FIRST).getClass());
        }
        assertThat(covered).containsExactlyInAnyOrderElementsOf(SampleMessages.KINDS);
    }

    @Test
    void diOrderDecidesTheWireOrderOfTheDi() {
        Cjt188Frame high = Cjt188Messages.encode(new ReadDataRequest(0x10, TestVectors.METER, 0x901F, 0, DiOrder.HIGH_FIRST));
        Cjt188Frame low = Cjt188Messages.encode(new ReadDataRequest(0x10, TestVectors.METER, 0x901F, 0, DiOrder.LOW_FIRST));

        assertThat(high.data()).startsWith(0x90, 0x1F);
        assertThat(low.data()).startsWith(0x1F, 0x90);
    }

    @Test
    void unknownDiIsReadInTheConfiguredOrder() throws Exception {
        Cjt188Frame frame = new Cjt188Frame(0x10, TestVectors.METER, 0x81, new byte[] {0x12, 0x34, 0x00});

        Cjt188Message high = Cjt188Messages.decode(frame);
        Cjt188Message low = Cjt188Messages.decode(frame, DiOrder.LOW_FIRST);

        assertThat(((UnknownData) high).di()).isEqualTo(0x1234);
        assertThat(((UnknownData) low).di()).isEqualTo(0x3412);
        assertThat(((UnknownData) low).diOrder()).isEqualTo(DiOrder.LOW_FIRST);
        assertThat(Cjt188Messages.encode(low)).isEqualTo(frame);
    }

    @Test
    void quantitiesCompareNumerically() {
        assertThat(Quantity.of("12.3", Unit.M3)).isEqualTo(Quantity.of("12.30", Unit.M3))
                .hasSameHashCodeAs(Quantity.of("12.30", Unit.M3))
                .isNotEqualTo(Quantity.of("12.3", Unit.L));
    }
}
