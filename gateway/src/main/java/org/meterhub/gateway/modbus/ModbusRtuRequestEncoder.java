package org.meterhub.gateway.modbus;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.meterhub.protocol.modbus.ModbusRtu;

/** A register read request to its RTU bytes (CRC low byte first). Stateless, so sharable. */
@ChannelHandler.Sharable
public final class ModbusRtuRequestEncoder extends MessageToByteEncoder<ModbusRtu.ReadRequest> {
    @Override
    protected void encode(ChannelHandlerContext ctx, ModbusRtu.ReadRequest request, ByteBuf out) {
        out.writeBytes(ModbusRtu.readRequest(request));
    }
}
