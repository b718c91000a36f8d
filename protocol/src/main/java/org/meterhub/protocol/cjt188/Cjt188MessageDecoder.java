package org.meterhub.protocol.cjt188;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * {@link Cjt188Frame} to {@link Cjt188Message}. A frame whose body does not fit its layout is counted and
 * dropped, not thrown: on a shared bus one broken meter must not tear down the DTU connection that
 * carries the healthy ones. The poller notices the missing reply through its own timeout.
 *
 * <p>Not sharable: the counters and DI-order hint belong to one channel.
 */
public final class Cjt188MessageDecoder extends MessageToMessageDecoder<Cjt188Frame> {

    private final DiOrder orderForUnknownDi;
    private volatile long messagesDecoded;
    private volatile long messagesRejected;
    private volatile String lastProblem;

    public Cjt188MessageDecoder() {
        this(DiOrder.HIGH_FIRST);
    }

    /** @param orderForUnknownDi the bus's configured DI order, used for DIs not recognisable in either order */
    public Cjt188MessageDecoder(DiOrder orderForUnknownDi) {
        super(Cjt188Frame.class);
        this.orderForUnknownDi = Checks.nonNull(orderForUnknownDi, "orderForUnknownDi");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Cjt188Frame frame, List<Object> out) {
        try {
            out.add(Cjt188Messages.decode(frame, orderForUnknownDi));
            messagesDecoded++;
        } catch (Cjt188Exception e) {
            messagesRejected++;
            lastProblem = e.getMessage() + " in " + frame;
        }
    }

    public long messagesDecoded() {
        return messagesDecoded;
    }

    /** Checksum-valid frames dropped because their body did not fit the layout. */
    public long messagesRejected() {
        return messagesRejected;
    }

    /** What was wrong with the last dropped frame, or null; for diagnostics, not for control flow. */
    public String lastProblem() {
        return lastProblem;
    }
}
