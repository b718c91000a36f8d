package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.protocol.cjt188.TestVectors.METER;
import static org.meterhub.protocol.cjt188.TestVectors.bytes;

import org.junit.jupiter.api.Test;

/** protocols.md §1: "Each must decode to exactly what is stated". */
class PublicVectorsTest {

    @Test
    void vector1IsAWildcardReadAddressRequestWithDi810AHighFirst() throws Exception {
        Cjt188Frame frame = Cjt188Frames.decode(bytes(TestVectors.V1));

        assertThat(frame.meterType()).isEqualTo(0xAA);
        assertThat(MeterType.of(frame.meterType())).contains(MeterType.ANY);
        assertThat(frame.address()).isEqualTo(MeterAddress.WILDCARD);
        assertThat(frame.control()).isEqualTo(0x03);
        assertThat(frame.fromMeter()).isFalse();
        assertThat(frame.data()).containsExactly(0x81, 0x0A, 0x00);
        assertThat(Cjt188Messages.decode(frame))
                .isEqualTo(new ReadAddressRequest(0xAA, MeterAddress.WILDCARD, 0x810A, 0, DiOrder.HIGH_FIRST));
        byte[] raw = bytes(TestVectors.V1);
        assertThat(Cjt188Frames.checksum(raw, 3, raw.length - 2)).isEqualTo(0x49);
    }

    @Test
    void vector2IsAReadAddressReplyFromColdWaterMeter00000805000001() throws Exception {
        Cjt188Frame frame = Cjt188Frames.decode(bytes(TestVectors.V2));

        assertThat(MeterType.of(frame.meterType())).contains(MeterType.COLD_WATER);
        assertThat(frame.address().digits()).isEqualTo("00000805000001");
        assertThat(frame.address().toWire()).containsExactly(0x01, 0x00, 0x00, 0x05, 0x08, 0x00, 0x00);
        assertThat(frame.control()).isEqualTo(0x83);
        assertThat(frame.fromMeter()).isTrue();
        assertThat(frame.errorReply()).isFalse();
        assertThat(frame.function()).isEqualTo(0x03);
        assertThat(Cjt188Messages.decode(frame))
                .isEqualTo(new ReadAddressReply(0x10, METER, 0x810A, 0, DiOrder.HIGH_FIRST));
        byte[] raw = bytes(TestVectors.V2);
        assertThat(Cjt188Frames.checksum(raw, 0, raw.length - 2)).isEqualTo(0x97);
    }

    @Test
    void vector3IsAReadDataRequestWithDi901FLowFirst() throws Exception {
        Cjt188Frame frame = Cjt188Frames.decode(bytes(TestVectors.V3));

        assertThat(frame.control()).isEqualTo(0x01);
        assertThat(frame.data()).containsExactly(0x1F, 0x90, 0x00);
        Cjt188Message message = Cjt188Messages.decode(frame);
        assertThat(message).isEqualTo(new ReadDataRequest(0x10, METER, 0x901F, 0, DiOrder.LOW_FIRST));
        byte[] raw = bytes(TestVectors.V3);
        assertThat(Cjt188Frames.checksum(raw, 0, raw.length - 2)).isEqualTo(0x39);
    }

    @Test
    void allThreeVectorsReEncodeByteForByte() throws Exception {
        assertReEncodes(TestVectors.V1, 3);
        assertReEncodes(TestVectors.V2, 0);
        assertReEncodes(TestVectors.V3, 0);
    }

    private static void assertReEncodes(String hex, int preamble) throws Exception {
        byte[] wire = bytes(hex);
        Cjt188Message message = Cjt188Messages.decode(Cjt188Frames.decode(wire));
        assertThat(Cjt188Frames.encode(Cjt188Messages.encode(message), preamble)).containsExactly(wire);
    }
}
