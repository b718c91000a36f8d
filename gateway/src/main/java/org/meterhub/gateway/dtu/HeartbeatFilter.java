package org.meterhub.gateway.dtu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Removes DTU heartbeats from the tunnel before the bus decoder sees them. The contract lets a
 * DTU send them only while no request is outstanding, so while one is, bytes pass untouched
 * (a reply may legitimately contain the same byte values).
 */
final class HeartbeatFilter extends ByteToMessageDecoder {
    private final byte[] heartbeat;
    private final BooleanSupplier requestOutstanding;
    private final AtomicLong heartbeats;

    HeartbeatFilter(byte[] heartbeat, BooleanSupplier requestOutstanding, AtomicLong heartbeats) {
        this.heartbeat = heartbeat.clone();
        this.requestOutstanding = requestOutstanding;
        this.heartbeats = heartbeats;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (!requestOutstanding.getAsBoolean()) {
                int matched = prefixMatch(in);
                if (matched == heartbeat.length) {
                    in.skipBytes(matched);
                    heartbeats.incrementAndGet();
                    continue;
                }
                if (matched == in.readableBytes()) {
                    return; // could still become a heartbeat: wait for the rest
                }
            }
            out.add(in.readRetainedSlice(in.readableBytes()));
        }
    }

    private int prefixMatch(ByteBuf in) {
        int n = Math.min(heartbeat.length, in.readableBytes());
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != heartbeat[i]) return -1;
        }
        return n;
    }
}
