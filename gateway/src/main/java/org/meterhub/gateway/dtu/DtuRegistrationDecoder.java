package org.meterhub.gateway.dtu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Reads the DTU's registration line ({@code id} or {@code id:proof}), hands it to {@code onRegistered} (which installs the bus pipeline
 * behind this handler), then removes itself. Bytes after the terminator already belong to the
 * tunnel; {@link ByteToMessageDecoder} passes them on when the handler is removed.
 */
public final class DtuRegistrationDecoder extends ByteToMessageDecoder {
    private final Pattern idPattern;
    private final int maxLineBytes;
    private final BiConsumer<ChannelHandlerContext, Registration> onRegistered;
    private final BiConsumer<ChannelHandlerContext, String> onRejected;

    public DtuRegistrationDecoder(Pattern idPattern, int maxLineBytes,
                           BiConsumer<ChannelHandlerContext, Registration> onRegistered,
                           BiConsumer<ChannelHandlerContext, String> onRejected) {
        this.idPattern = idPattern;
        this.maxLineBytes = maxLineBytes;
        this.onRegistered = onRegistered;
        this.onRejected = onRejected;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int nl = in.indexOf(in.readerIndex(), Math.min(in.writerIndex(), in.readerIndex() + maxLineBytes), (byte) '\n');
        if (nl < 0) {
            if (in.readableBytes() >= maxLineBytes) {
                in.skipBytes(in.readableBytes());
                onRejected.accept(ctx, "no registration line within " + maxLineBytes + " bytes");
            }
            return;
        }
        int end = nl;
        if (end > in.readerIndex() && in.getByte(end - 1) == '\r') end--;
        String line = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.US_ASCII);
        in.readerIndex(nl + 1);
        int colon = line.indexOf(':');
        String id = colon < 0 ? line : line.substring(0, colon);
        String proof = colon < 0 ? null : line.substring(colon + 1);
        if (!idPattern.matcher(id).matches()) {
            in.skipBytes(in.readableBytes());
            onRejected.accept(ctx, "invalid DTU id (" + id.length() + " bytes)");
            return;
        }
        if (proof != null && !DtuSettings.PROOF.matcher(proof).matches()) {
            in.skipBytes(in.readableBytes());
            onRejected.accept(ctx, "invalid proof after DTU id " + id + " (" + proof.length() + " bytes)");
            return;
        }
        onRegistered.accept(ctx, new Registration(id, proof));
        ctx.pipeline().remove(this);
    }

    /** A registration line: the DTU's id and, when it sent one, its proof (never logged). */
    public record Registration(String id, String proof) {
        @Override
        public String toString() {
            return "Registration[" + id + (proof == null ? "" : ":***") + "]";
        }
    }
}
