package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.protocol.cjt188.TestVectors.buf;
import static org.meterhub.protocol.cjt188.TestVectors.bytes;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four handlers together, as the gateway and the simulators use them. */
class PipelineTest {

    @Test
    void frameEncoderWritesPreambleAndFrame() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new Cjt188FrameEncoder(3));
        try {
            channel.writeOutbound(Cjt188Frames.decode(bytes(TestVectors.V1)));
            ByteBuf out = channel.readOutbound();
            try {
                assertThat(ByteBufUtil.getBytes(out)).containsExactly(bytes(TestVectors.V1));
            } finally {
                out.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void messagesGoOutAsBytesAndComeBackAsMessages() {
        EmbeddedChannel channel = new EmbeddedChannel(new Cjt188FrameDecoder(4096), new Cjt188MessageDecoder(),
                new Cjt188FrameEncoder(2), new Cjt188MessageEncoder());
        try {
            List<Cjt188Message> sent = new ArrayList<>();
            for (SampleMessages.Sample s : SampleMessages.all()) {
                for (DiOrder order : DiOrder.values()) {
                    sent.add(s.build().apply(order));
                }
            }
            for (Cjt188Message m : sent) {
                assertThat(channel.writeOutbound(m)).isTrue();
            }
            // Loop the written bytes back in, one byte at a time.
            for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
                try {
                    while (out.isReadable()) {
                        channel.writeInbound(out.readRetainedSlice(1));
                    }
                } finally {
                    out.release();
                }
            }
            List<Object> received = new ArrayList<>();
            for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
                received.add(o);
            }
            assertThat(received).containsExactlyElementsOf(sent);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void frameWithInvalidBodyIsCountedAndDroppedNotThrown() {
        Cjt188MessageDecoder messages = new Cjt188MessageDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(new Cjt188FrameDecoder(4096), messages);
        try {
            channel.writeInbound(buf(TestVectors.GAS_901F_BAD_BCD));
            channel.writeInbound(buf(TestVectors.GAS_901F));

            Object first = channel.readInbound();
            assertThat(first).isInstanceOf(GasWaterCurrentData.class);
            assertThat(nextInbound(channel)).isNull();
            assertThat(messages.messagesRejected()).isEqualTo(1);
            assertThat(messages.messagesDecoded()).isEqualTo(1);
            assertThat(messages.lastProblem()).startsWith("current cumulative:");
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static Object nextInbound(EmbeddedChannel channel) {
        return channel.readInbound();
    }
}
