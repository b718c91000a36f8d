package org.meterhub.gateway.modbus;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.meterhub.protocol.modbus.ModbusCrc;
import org.meterhub.protocol.modbus.ModbusRtu;

/**
 * Bytes from an RTU bus (a DTU tunnel) to {@link ModbusRtuReply}s. Over a tunnel the 3.5-character
 * silences that delimit RTU frames are gone, so frames are found by shape and CRC: at each offset a
 * read reply ({@code unit 03|04 n data… CRC}) or an exception reply ({@code unit 83|84 code CRC}) is a
 * candidate, and the earliest candidate whose CRC checks wins; bytes before it are noise.
 *
 * <p>Memory is bounded: a candidate never needs more than {@link ModbusRtu#MAX_FRAME} bytes, so the
 * buffer never holds more than that beyond the bytes already known to be noise, and those are dropped
 * at once. More than {@code maxBytesWithoutFrame} noise bytes without one valid frame raise a
 * {@link TooLongFrameException} so that the session can cut the peer off.
 *
 * <p>Not sharable: it holds a cumulation buffer and counters for one channel.
 */
public final class ModbusRtuReplyDecoder extends ByteToMessageDecoder {
    private static final int MIN_FRAME = 5;
    /** Offsets examined per step; a step always drops or emits something, so work per byte is bounded. */
    private static final int WINDOW = 2 * ModbusRtu.MAX_FRAME;

    private final int maxBytesWithoutFrame;
    private long droppedSinceFrame;
    private volatile long framesDecoded;
    private volatile long garbageBytes;

    public ModbusRtuReplyDecoder(int maxBytesWithoutFrame) {
        if (maxBytesWithoutFrame < ModbusRtu.MAX_FRAME) {
            throw new IllegalArgumentException("maxBytesWithoutFrame must be at least " + ModbusRtu.MAX_FRAME
                    + ", got " + maxBytesWithoutFrame);
        }
        this.maxBytesWithoutFrame = maxBytesWithoutFrame;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TooLongFrameException {
        int n = Math.min(in.readableBytes(), WINDOW);
        if (n < MIN_FRAME) return;
        byte[] b = new byte[n];
        in.getBytes(in.readerIndex(), b);
        int firstIncomplete = -1;
        for (int i = 0; i < n; i++) {
            int len = candidateLength(b, i, n - i);
            if (len == 0) {
                if (firstIncomplete < 0) firstIncomplete = i; // too few bytes to tell yet
                continue;
            }
            if (len < 0) continue;
            if (len > n - i) {
                if (firstIncomplete < 0) firstIncomplete = i;
                continue;
            }
            if (ModbusCrc.valid(b, i, i + len)) {
                drop(in, i);
                in.skipBytes(len);
                framesDecoded++;
                droppedSinceFrame = 0;
                out.add(reply(b, i, len));
                return;
            }
        }
        // nothing valid yet: what lies before the first candidate that may still complete is noise
        drop(in, firstIncomplete < 0 ? n : firstIncomplete);
        if (droppedSinceFrame > maxBytesWithoutFrame) {
            long dropped = droppedSinceFrame;
            garbageBytes += in.readableBytes();
            in.skipBytes(in.readableBytes());
            droppedSinceFrame = 0;
            throw new TooLongFrameException("no valid Modbus RTU reply in " + dropped + " bytes (limit "
                    + maxBytesWithoutFrame + "); buffer discarded");
        }
    }

    /** Frame length if a reply could start at {@code i}; 0 if too few bytes to tell; -1 if none can. */
    private static int candidateLength(byte[] b, int i, int available) {
        if (available < 3) return 0;
        int unit = b[i] & 0xFF;
        if (unit < 1 || unit > 247) return -1;
        int fn = b[i + 1] & 0xFF;
        if (fn == ModbusRtu.READ_HOLDING || fn == ModbusRtu.READ_INPUT) {
            int count = b[i + 2] & 0xFF;
            return count == 0 || (count & 1) != 0 || count > 250 ? -1 : 5 + count;
        }
        if (fn == (ModbusRtu.READ_HOLDING | 0x80) || fn == (ModbusRtu.READ_INPUT | 0x80)) return 5;
        return -1;
    }

    private static ModbusRtuReply reply(byte[] b, int at, int len) {
        int unit = b[at] & 0xFF;
        int fn = b[at + 1] & 0xFF;
        if ((fn & 0x80) != 0) return new ModbusRtuReply(unit, fn & 0x7F, b[at + 2] & 0xFF, new int[0]);
        int[] words = new int[(len - 5) / 2];
        for (int k = 0; k < words.length; k++) {
            words[k] = (b[at + 3 + 2 * k] & 0xFF) << 8 | b[at + 4 + 2 * k] & 0xFF;
        }
        return new ModbusRtuReply(unit, fn, 0, words);
    }

    private void drop(ByteBuf in, int bytes) {
        if (bytes <= 0) return;
        in.skipBytes(bytes);
        garbageBytes += bytes;
        droppedSinceFrame += bytes;
    }

    public long framesDecoded() {
        return framesDecoded;
    }

    /** Bytes dropped as noise (not part of a CRC-valid reply). */
    public long garbageBytes() {
        return garbageBytes;
    }

    /** Bytes waiting in the cumulation buffer; for tests of the memory bound. */
    public int bufferedBytes() {
        return internalBuffer().readableBytes();
    }
}
