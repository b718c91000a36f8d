package org.meterhub.gateway.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.meterhub.protocol.modbus.ModbusRtu;

/** RTU replies found by shape and CRC in a tunnel byte stream that may carry noise. */
class ModbusRtuReplyDecoderTest {
    private final ModbusRtuReplyDecoder decoder = new ModbusRtuReplyDecoder(1024);
    private final EmbeddedChannel ch = new EmbeddedChannel(decoder);

    private void feed(byte[]... parts) {
        for (byte[] p : parts) ch.writeInbound(Unpooled.wrappedBuffer(p));
    }

    @Test
    void aReplyInPiecesAfterNoiseIsDecoded() {
        byte[] reply = ModbusRtu.readResponse(7, 3, new int[] {0x0012, 0xABCD, 65535});
        feed(new byte[] {0x00, (byte) 0xFF, 0x42});
        feed(java.util.Arrays.copyOfRange(reply, 0, 4));
        assertThat((Object) ch.readInbound()).isNull();
        feed(java.util.Arrays.copyOfRange(reply, 4, reply.length));
        ModbusRtuReply r = ch.readInbound();
        assertThat(r.unit()).isEqualTo(7);
        assertThat(r.function()).isEqualTo(3);
        assertThat(r.registers()).containsExactly(0x0012, 0xABCD, 65535);
        assertThat(decoder.garbageBytes()).isEqualTo(3);
        assertThat(decoder.bufferedBytes()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anExceptionReplyIsDecodedWithItsCode() {
        feed(ModbusRtu.exceptionResponse(2, 4, 2));
        ModbusRtuReply r = ch.readInbound();
        assertThat(r.isException()).isTrue();
        assertThat(r.function()).isEqualTo(4);
        assertThat(r.exceptionCode()).isEqualTo(2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aFalseHeaderPromisingALongFrameDoesNotHoldBackTheRealReply() {
        // 01 03 FA looks like the start of a 255-byte reply; the real one follows at once
        byte[] reply = ModbusRtu.readResponse(1, 3, new int[] {1, 2});
        feed(new byte[] {0x01, 0x03, (byte) 0xFA}, reply);
        ModbusRtuReply r = ch.readInbound();
        assertThat(r).isNotNull();
        assertThat(r.registers()).containsExactly(1, 2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aCorruptedReplyIsNeverEmitted() {
        byte[] reply = ModbusRtu.readResponse(1, 3, new int[] {100, 200, 300});
        for (int i = 0; i < reply.length; i++) {
            byte[] bad = reply.clone();
            bad[i] ^= 0x10;
            feed(bad);
            Object out = ch.readInbound();
            if (out instanceof ModbusRtuReply r) {
                // a flipped byte may only ever leave a frame that is not this reply
                assertThat(r.registers()).isNotEqualTo(new int[] {100, 200, 300});
            }
        }
        assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(ModbusRtu.MAX_FRAME);
        ch.finishAndReleaseAll();
    }

    @Test
    void endlessNoiseIsCutOffAndTheBufferStaysBounded() {
        Random random = new Random(5);
        byte[] noise = new byte[64];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                random.nextBytes(noise);
                feed(noise);
                assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(ModbusRtu.MAX_FRAME + noise.length);
            }
        }).isInstanceOf(TooLongFrameException.class).hasMessageContaining("no valid Modbus RTU reply");
        assertThat(decoder.bufferedBytes()).isZero();
        ch.finishAndReleaseAll();
    }
}
