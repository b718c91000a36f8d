package org.meterhub.protocol.cjt188;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.meterhub.protocol.cjt188.TestVectors.buf;
import static org.meterhub.protocol.cjt188.TestVectors.bytes;
import static org.meterhub.protocol.cjt188.TestVectors.concat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Cjt188FrameDecoderTest {

    private final Cjt188FrameDecoder decoder = new Cjt188FrameDecoder(1024);
    private final EmbeddedChannel channel = new EmbeddedChannel(decoder);

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
    }

    @Test
    void frameSplitIntoOneByteWritesIsDecodedOnceComplete() throws Exception {
        byte[] wire = concat(bytes(TestVectors.V1), bytes(TestVectors.V2));

        for (int i = 0; i < wire.length; i++) {
            channel.writeInbound(buf(new byte[] {wire[i]}));
            if (i < wire.length - 1 && i != bytes(TestVectors.V1).length - 1) {
                assertThat(nextInbound(channel)).as("after byte %d", i).isNull();
            } else {
                assertThat(nextInbound(channel)).as("after byte %d", i).isInstanceOf(Cjt188Frame.class);
            }
        }
        assertThat(decoder.framesDecoded()).isEqualTo(2);
        assertThat(decoder.garbageBytes()).isZero();
        assertThat(decoder.framesRejected()).isZero();
    }

    @Test
    void twoFramesInOneBufferGiveTwoFrames() throws Exception {
        channel.writeInbound(buf(concat(bytes(TestVectors.V2), bytes(TestVectors.V3))));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V2)),
                Cjt188Frames.decode(bytes(TestVectors.V3)));
    }

    @Test
    void incompleteFrameWaitsForTheRest() throws Exception {
        byte[] wire = bytes(TestVectors.V3);
        channel.writeInbound(buf(java.util.Arrays.copyOf(wire, 12)));
        assertThat(nextInbound(channel)).isNull();
        assertThat(decoder.bufferedBytes()).isEqualTo(12);

        channel.writeInbound(buf(java.util.Arrays.copyOfRange(wire, 12, wire.length)));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(wire));
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void heartbeatsRandomBytesAndAStray68AroundFramesAreSkippedAndCounted() throws Exception {
        byte[] hb = "HB\n".getBytes(US_ASCII);
        byte[] noise = bytes("00 12 FF 68 33");
        channel.writeInbound(buf(concat(hb, bytes(TestVectors.V2), noise, hb, bytes(TestVectors.V3))));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V2)),
                Cjt188Frames.decode(bytes(TestVectors.V3)));
        assertThat(decoder.garbageBytes()).isEqualTo(3 + 5 + 3);
        assertThat(decoder.framesRejected()).isEqualTo(1);  // the stray 0x68
    }

    @Test
    void aDtuHeartbeatJustBeforeOrAfterAReplyIsNotLineNoise() throws Exception {
        Cjt188FrameDecoder d = new Cjt188FrameDecoder(1024).heartbeat("HB\n".getBytes(US_ASCII));
        EmbeddedChannel ch = new EmbeddedChannel(d);
        byte[] hb = "HB\n".getBytes(US_ASCII);
        // sent while the gateway's request was on its way (before the reply), and just after a reply in the same read
        ch.writeInbound(buf(concat(hb, bytes("FE FE"), bytes(TestVectors.V2))));
        ch.writeInbound(buf(concat(bytes(TestVectors.V3), hb)));
        ch.writeInbound(buf(concat(hb, hb, bytes(TestVectors.V2))));
        assertThat(d.framesDecoded()).isEqualTo(3);
        assertThat(d.garbageBytes()).as("heartbeats are not noise").isZero();
        assertThat(d.heartbeatsBetweenFrames()).isEqualTo(4);
        // anything else between frames still is, also bytes that only resemble a heartbeat
        ch.writeInbound(buf(concat(bytes("48 42 0B"), bytes(TestVectors.V3), bytes("48 42"))));
        assertThat(d.garbageBytes()).isEqualTo(5);
        assertThat(d.heartbeatsBetweenFrames()).isEqualTo(4);
        ch.finishAndReleaseAll();
    }

    @Test
    void stray68DirectlyBeforeAFrameDoesNotHideIt() throws Exception {
        channel.writeInbound(buf(concat(bytes("68"), bytes(TestVectors.V3), bytes("68 68"), bytes(TestVectors.V2))));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V3)),
                Cjt188Frames.decode(bytes(TestVectors.V2)));
        assertThat(decoder.framesRejected()).isEqualTo(3);
        assertThat(decoder.garbageBytes()).isEqualTo(3);
    }

    @Test
    void badChecksumFrameIsCountedAndTheFollowingGoodFrameDecoded() throws Exception {
        byte[] bad = bytes(TestVectors.V2);
        bad[bad.length - 2]++;

        channel.writeInbound(buf(concat(bad, bytes(TestVectors.V3))));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V3)));
        assertThat(decoder.framesRejected()).isEqualTo(1);
        assertThat(decoder.garbageBytes()).isEqualTo(bad.length);
        assertThat(decoder.framesDecoded()).isEqualTo(1);
    }

    @Test
    void badEndByteAndImpossibleLengthAreRejected() throws Exception {
        byte[] badEnd = bytes(TestVectors.V3);
        badEnd[badEnd.length - 1] = 0x17;
        byte[] hugeLength = bytes(TestVectors.V3);
        hugeLength[10] = (byte) 0xF0;

        channel.writeInbound(buf(concat(badEnd, hugeLength, bytes(TestVectors.V2))));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V2)));
        assertThat(decoder.framesRejected()).isEqualTo(2);
    }

    @Test
    void damagedLengthDoesNotHoldBackAGoodFrameThatFollows() throws Exception {
        // L raised from 3 to 0x40: the candidate wants 77 bytes, only the next frame arrives.
        byte[] longer = bytes(TestVectors.V3);
        longer[10] = 0x40;

        channel.writeInbound(buf(concat(longer, bytes(TestVectors.V2))));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V2)));
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void endlessGarbageHitsTheLimitAndTheBufferStaysSmall() {
        Random random = new Random(42);
        int exceptions = 0;
        int preambleBytes = 0;
        for (int chunk = 0; chunk < 200; chunk++) {
            byte[] garbage = new byte[64];
            random.nextBytes(garbage);
            for (byte b : garbage) {
                preambleBytes += (b & 0xFF) == 0xFE ? 1 : 0;
            }
            try {
                channel.writeInbound(buf(garbage));
            } catch (TooLongFrameException e) {
                exceptions++;
                assertThat(e).hasMessageContaining("limit 1024");
                assertThat(decoder.bufferedBytes()).as("buffer discarded").isZero();
            }
            assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(Cjt188Frames.OVERHEAD + Cjt188FrameDecoder.DEFAULT_MAX_DATA_LENGTH);
        }
        assertThat(nextInbound(channel)).isNull();
        // 12800 bytes; an exception comes once more than 1024 have piled up (every 17th chunk).
        assertThat(exceptions).isBetween(10, 13);
        // FE bytes count as preamble, not garbage, unless dropped by the limit.
        assertThat(decoder.garbageBytes()).isBetween(200L * 64 - preambleBytes, 200L * 64);
    }

    @Test
    void afterTheLimitTheDecoderStartsAfresh() throws Exception {
        byte[] garbage = new byte[1100];
        assertThatThrownBy(() -> channel.writeInbound(buf(garbage))).isInstanceOf(DecoderException.class);

        channel.writeInbound(buf(TestVectors.V2));

        assertThat(readAll()).containsExactly(Cjt188Frames.decode(bytes(TestVectors.V2)));
    }

    @Test
    void limitMustLeaveRoomForTheLongestFrame() {
        assertThatThrownBy(() -> new Cjt188FrameDecoder(64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("117");
    }

    private List<Cjt188Frame> readAll() {
        List<Cjt188Frame> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add((Cjt188Frame) o);
        }
        return out;
    }

    private static Object nextInbound(EmbeddedChannel channel) {
        return channel.readInbound();
    }
}
