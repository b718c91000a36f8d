package org.meterhub.protocol.cjt188;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** {@link Cjt188Message} to {@link Cjt188Frame}; place it after {@link Cjt188FrameEncoder} in the pipeline. */
@ChannelHandler.Sharable
public final class Cjt188MessageEncoder extends MessageToMessageEncoder<Cjt188Message> {

    public Cjt188MessageEncoder() {
        super(Cjt188Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Cjt188Message message, List<Object> out) {
        out.add(Cjt188Messages.encode(message));
    }
}
