package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property-style, with a seeded Random so failures reproduce: a stream of random valid frames with 1% of
 * its bytes corrupted. The decoder must never emit a frame whose checksum is wrong or whose bytes were not
 * in the stream, and must emit every frame that arrived intact.
 */
class FrameDecoderPropertyTest {

    private static final int[] TYPES = {0x10, 0x11, 0x20, 0x30, 0x45, 0xAA};
    private static final int[] CONTROLS = {0x01, 0x03, 0x04, 0x81, 0x83, 0x84, 0xC1, 0xA1};

    @Test
    void corruptedStreamNeverYieldsAFrameThatWasNotSentAndLosesNoIntactFrame() throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            runOnce(seed);
        }
    }

    private void runOnce(long seed) throws Exception {
        Random random = new Random(seed);
        List<Cjt188Frame> sent = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();  // [from, to) of each frame's 68..16 in the stream
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            writeGarbage(random, stream);
            Cjt188Frame frame = randomFrame(random);
            int preamble = random.nextInt(5);
            byte[] wire = Cjt188Frames.encode(frame, preamble);
            int from = stream.size() + preamble;
            stream.write(wire, 0, wire.length);
            sent.add(frame);
            spans.add(new int[] {from, stream.size()});
        }
        byte[] bytes = stream.toByteArray();
        boolean[] corrupted = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            if (random.nextInt(100) == 0) {
                bytes[i] = (byte) (bytes[i] + 1 + random.nextInt(255));  // always a different value
                corrupted[i] = true;
            }
        }

        List<Cjt188Frame> received = decode(bytes, random);

        // Every received frame is made of bytes that were in the stream, in order, with a correct checksum.
        // A frame that differs from what was sent is only acceptable where the stream was corrupted in a way
        // an additive checksum cannot see (two errors that cancel); such frames must be rare.
        java.util.Set<Integer> receivedStarts = new java.util.HashSet<>();
        int cursor = 0;
        int undetectable = 0;
        for (Cjt188Frame frame : received) {
            byte[] wire = Cjt188Frames.encode(frame, 0);
            int at = indexOf(bytes, wire, cursor);
            assertThat(at).as("seed %d: %s is not in the stream", seed, frame).isNotNegative();
            int cs = at + wire.length - 2;
            assertThat(Cjt188Frames.checksum(bytes, at, cs)).as("seed %d: checksum of %s", seed, frame)
                    .isEqualTo(bytes[cs] & 0xFF);
            receivedStarts.add(at);
            int sentIndex = indexOfSpanStart(spans, at);
            if (sentIndex < 0 || !sent.get(sentIndex).equals(frame)) {
                boolean touched = false;
                for (int j = at; j < at + wire.length; j++) {
                    touched |= corrupted[j];
                }
                assertThat(touched).as("seed %d: %s differs from what was sent but no byte was corrupted", seed, frame)
                        .isTrue();
                undetectable++;
            }
            cursor = at + wire.length;
        }
        assertThat(undetectable).isLessThan(5);
        int intact = 0;
        for (int i = 0; i < sent.size(); i++) {
            int[] span = spans.get(i);
            boolean hit = false;
            for (int j = span[0]; j < span[1]; j++) {
                hit |= corrupted[j];
            }
            if (!hit) {
                intact++;
                assertThat(receivedStarts).as("seed %d: intact frame %d %s lost", seed, i, sent.get(i)).contains(span[0]);
            }
        }
        // The run must actually exercise both sides.
        assertThat(intact).isLessThan(sent.size()).isGreaterThan(sent.size() / 2);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOfSpanStart(List<int[]> spans, int start) {
        for (int i = 0; i < spans.size(); i++) {
            if (spans.get(i)[0] == start) {
                return i;
            }
        }
        return -1;
    }

    private static List<Cjt188Frame> decode(byte[] bytes, Random random) {
        Cjt188FrameDecoder decoder = new Cjt188FrameDecoder(1_000_000);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<Cjt188Frame> out = new ArrayList<>();
        try {
            for (int pos = 0; pos < bytes.length; ) {
                int n = Math.min(bytes.length - pos, 1 + random.nextInt(64));
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, pos, n));
                pos += n;
                for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
                    out.add((Cjt188Frame) o);
                }
            }
            assertThat(decoder.framesRejected()).isPositive();
            assertThat(decoder.framesDecoded()).isEqualTo(out.size());
        } finally {
            channel.finishAndReleaseAll();
        }
        return out;
    }

    private static void writeGarbage(Random random, ByteArrayOutputStream stream) {
        switch (random.nextInt(4)) {
            case 0 -> stream.writeBytes("HB\n".getBytes(StandardCharsets.US_ASCII));
            case 1 -> stream.write(0x68);
            case 2 -> {
                byte[] noise = new byte[random.nextInt(8)];
                random.nextBytes(noise);
                stream.writeBytes(noise);
            }
            default -> { }
        }
    }

    private static Cjt188Frame randomFrame(Random random) {
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            digits.append(random.nextInt(10));
        }
        byte[] data = new byte[random.nextInt(41)];
        random.nextBytes(data);
        return new Cjt188Frame(TYPES[random.nextInt(TYPES.length)], MeterAddress.of(digits.toString()),
                CONTROLS[random.nextInt(CONTROLS.length)], data);
    }
}
