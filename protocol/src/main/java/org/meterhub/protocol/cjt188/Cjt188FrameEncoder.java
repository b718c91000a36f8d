package org.meterhub.protocol.cjt188;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * {@link Cjt188Frame} to bytes. The number of {@code FE} wake-up bytes is a per-bus setting: some meters
 * sleep and need them, some converters choke on them.
 */
@ChannelHandler.Sharable
public final class Cjt188FrameEncoder extends MessageToByteEncoder<Cjt188Frame> {

    private final int preambleBytes;

    /** @param preambleBytes 0 to 4 */
    public Cjt188FrameEncoder(int preambleBytes) {
        super(Cjt188Frame.class);
        Cjt188Frames.checkPreamble(preambleBytes);
        this.preambleBytes = preambleBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Cjt188Frame frame, ByteBuf out) {
        out.writeBytes(Cjt188Frames.encode(frame, preambleBytes));
    }
}
