package org.meterhub.protocol.cjt188;

import static org.meterhub.protocol.cjt188.Cjt188Frames.ADDRESS_OFFSET;
import static org.meterhub.protocol.cjt188.Cjt188Frames.HEADER_LENGTH;
import static org.meterhub.protocol.cjt188.Cjt188Frames.LENGTH_OFFSET;
import static org.meterhub.protocol.cjt188.Cjt188Frames.MAX_PREAMBLE;
import static org.meterhub.protocol.cjt188.Cjt188Frames.OVERHEAD;
import static org.meterhub.protocol.cjt188.Cjt188Frames.PREAMBLE_BYTE;
import static org.meterhub.protocol.cjt188.Cjt188Frames.START_BYTE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Bytes to checksum-valid {@link Cjt188Frame}s, from a stream that also carries preamble, DTU heartbeats
 * and line noise.
 *
 * <p>Resynchronisation: every 0x68 is a candidate start. A candidate that turns out wrong (address not
 * BCD, impossible L, bad end byte, bad checksum) costs exactly its 0x68 byte; the search for the next
 * 0x68 begins at the byte after it, so a real frame hidden inside a false candidate is still found.
 *
 * <p>Memory stays bounded on a hostile or broken peer: garbage without a 0x68 is dropped as it arrives,
 * a candidate waits for at most {@code 13 + maxDataLength} bytes, and when more than
 * {@code maxBytesWithoutFrame} bytes arrive without a frame the buffer is dropped and a
 * {@link TooLongFrameException} is thrown so that the channel can be closed.
 *
 * <p>Not sharable: it holds a cumulation buffer and counters for one channel. Counters are written by the
 * channel's event loop only and are volatile so that a metrics thread can read them.
 */
public final class Cjt188FrameDecoder extends ByteToMessageDecoder {

    /**
     * Longest data field accepted by default. The longest reply in the standard's tables is the heat
     * meter's 901F (L=0x2E); 0x64 leaves room for vendor extensions and still lets a false 0x68 in noise
     * be rejected quickly instead of holding up to 268 bytes hostage.
     */
    public static final int DEFAULT_MAX_DATA_LENGTH = 0x64;

    private final int maxBytesWithoutFrame;
    private final int maxDataLength;

    private volatile long framesDecoded;
    private volatile long framesRejected;
    private volatile long garbageBytes;
    private volatile long heartbeatsBetweenFrames;
    /** A DTU's heartbeat: dropped like other bytes between frames, but not counted as garbage (empty: none). */
    private byte[] heartbeat = new byte[0];
    /** Bytes dropped since the last good frame; drives the limit. */
    private long droppedSinceFrame;

    public Cjt188FrameDecoder(int maxBytesWithoutFrame) {
        this(maxBytesWithoutFrame, DEFAULT_MAX_DATA_LENGTH);
    }

    /**
     * @param maxBytesWithoutFrame at least {@code 4 + 13 + maxDataLength}, so a legitimate longest frame
     *     with full preamble always fits
     * @param maxDataLength longest L accepted; a candidate with a larger L is rejected at once
     */
    public Cjt188FrameDecoder(int maxBytesWithoutFrame, int maxDataLength) {
        if (maxDataLength < 0 || maxDataLength > Cjt188Frame.MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("maxDataLength must be 0..255, got " + maxDataLength);
        }
        int longestFrame = MAX_PREAMBLE + OVERHEAD + maxDataLength;
        if (maxBytesWithoutFrame < longestFrame) {
            throw new IllegalArgumentException("maxBytesWithoutFrame " + maxBytesWithoutFrame
                    + " is smaller than the longest acceptable frame (" + longestFrame + " bytes)");
        }
        this.maxBytesWithoutFrame = maxBytesWithoutFrame;
        this.maxDataLength = maxDataLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TooLongFrameException {
        // One step per call (drop garbage, reject a candidate, or emit a frame): ByteToMessageDecoder calls
        // again while bytes are consumed, which keeps each step simple and honours isSingleDecode().
        dropUpToStartByte(in);
        int start = in.readerIndex();
        if (in.readableBytes() < HEADER_LENGTH) {
            checkLimit(in);
            return;
        }
        if (!plausibleHeader(in, start)) {
            reject(in);
            return;
        }
        int frameLength = OVERHEAD + in.getUnsignedByte(start + LENGTH_OFFSET);
        if (in.readableBytes() < frameLength) {
            if (validFrameFollows(in, start + 1)) {
                // A complete good frame starts inside this candidate's span: the candidate was noise (or
                // a damaged frame) and waiting for its tail would hold the good frame back.
                reject(in);
            } else {
                checkLimit(in);
            }
            return;
        }
        Cjt188Frame frame = validFrameAt(in, start, frameLength);
        if (frame == null) {
            reject(in);
            return;
        }
        in.skipBytes(frameLength);
        framesDecoded++;
        droppedSinceFrame = 0;
        out.add(frame);
    }

    /**
     * Bytes that a DTU sends as its heartbeat (e.g. {@code HB\n}). The DTU sends one while it has no request,
     * and it cannot know that the gateway's next one is already on its way, so one may arrive just before a reply
     * or in the same read just after one, where the tunnel's heartbeat filter lets bytes through. Between frames,
     * dropped bytes that are exactly such heartbeats (preamble aside) are counted in {@link #heartbeatsBetweenFrames()},
     * not as {@link #garbageBytes()}: they say nothing about noise on the line (before, each such race made the
     * session insist on two agreeing replies from every meter of the bus for its next 100 exchanges).
     * Ignored when the heartbeat contains {@code 68} or {@code FE}.
     */
    public Cjt188FrameDecoder heartbeat(byte[] bytes) {
        byte[] b = bytes.clone();
        for (byte x : b) if ((x & 0xFF) == START_BYTE || (x & 0xFF) == PREAMBLE_BYTE) b = new byte[0];
        this.heartbeat = b;
        return this;
    }

    /** Heartbeats dropped between frames (see {@link #heartbeat(byte[])}). */
    public long heartbeatsBetweenFrames() {
        return heartbeatsBetweenFrames;
    }

    private void dropUpToStartByte(ByteBuf in) {
        int from = in.readerIndex();
        int to = in.writerIndex();
        int startIndex = in.indexOf(from, to, (byte) START_BYTE);
        int end = startIndex < 0 ? to : startIndex;
        if (end == from) {
            return;
        }
        long garbage = 0;
        for (int i = from; i < end; i++) {
            if (in.getUnsignedByte(i) != PREAMBLE_BYTE) {
                garbage++;
            }
        }
        int beats = heartbeats(in, from, end, garbage);
        if (beats > 0) {
            heartbeatsBetweenFrames += beats;
            garbage = 0;
        }
        garbageBytes += garbage;
        droppedSinceFrame += end - from;
        in.readerIndex(end);
    }

    /** How many heartbeats the non-preamble bytes of [from, end) are, back to back; 0 when they are anything else. */
    private int heartbeats(ByteBuf in, int from, int end, long nonPreamble) {
        int n = heartbeat.length;
        if (n == 0 || nonPreamble == 0 || nonPreamble % n != 0 || nonPreamble > 4L * n) return 0;
        int k = 0;
        for (int i = from; i < end; i++) {
            int b = in.getUnsignedByte(i);
            if (b == PREAMBLE_BYTE) continue;
            if (b != (heartbeat[k % n] & 0xFF)) return 0;
            k++;
        }
        return k / n;
    }

    /** Cheap checks possible before the whole frame is in: they let a false 0x68 go without waiting. */
    private boolean plausibleHeader(ByteBuf in, int start) {
        if (in.getUnsignedByte(start + LENGTH_OFFSET) > maxDataLength) {
            return false;
        }
        byte[] address = new byte[MeterAddress.WIRE_LENGTH];
        in.getBytes(start + ADDRESS_OFFSET, address);
        return MeterAddress.wireProblem(address, 0) == null;
    }

    private Cjt188Frame validFrameAt(ByteBuf in, int start, int frameLength) {
        byte[] candidate = new byte[frameLength];
        in.getBytes(start, candidate);
        return FrameDissection.of(candidate).frame();
    }

    private boolean validFrameFollows(ByteBuf in, int from) {
        int to = in.writerIndex();
        for (int i = in.indexOf(from, to, (byte) START_BYTE); i >= 0; i = in.indexOf(i + 1, to, (byte) START_BYTE)) {
            if (to - i < HEADER_LENGTH) {
                return false;
            }
            int frameLength = OVERHEAD + in.getUnsignedByte(i + LENGTH_OFFSET);
            if (frameLength <= to - i && plausibleHeader(in, i) && validFrameAt(in, i, frameLength) != null) {
                return true;
            }
        }
        return false;
    }

    private void reject(ByteBuf in) {
        in.skipBytes(1);
        framesRejected++;
        garbageBytes++;
        droppedSinceFrame++;
    }

    private void checkLimit(ByteBuf in) throws TooLongFrameException {
        long withoutFrame = droppedSinceFrame + in.readableBytes();
        if (withoutFrame > maxBytesWithoutFrame) {
            garbageBytes += in.readableBytes();
            in.skipBytes(in.readableBytes());
            droppedSinceFrame = 0;
            throw new TooLongFrameException("no valid CJ/T 188 frame in " + withoutFrame
                    + " bytes (limit " + maxBytesWithoutFrame + "); buffer discarded");
        }
    }

    public long framesDecoded() {
        return framesDecoded;
    }

    /** Candidate frames (a 0x68 with something after it) that failed a check. */
    public long framesRejected() {
        return framesRejected;
    }

    /** Bytes dropped that were neither part of a frame nor {@code FE} preamble. */
    public long garbageBytes() {
        return garbageBytes;
    }

    /** Bytes waiting in the cumulation buffer; for tests and diagnostics of the memory bound. */
    public int bufferedBytes() {
        return internalBuffer().readableBytes();
    }
}
