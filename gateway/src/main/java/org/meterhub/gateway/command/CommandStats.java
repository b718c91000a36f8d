package org.meterhub.gateway.command;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/** Command counters, and the round trip from first publish to ack through HdrHistogram. */
public final class CommandStats {
    public final AtomicLong submitted = new AtomicLong();
    public final AtomicLong resubmittedSameId = new AtomicLong();
    public final AtomicLong publishes = new AtomicLong();
    public final AtomicLong resends = new AtomicLong();
    public final AtomicLong publishFailures = new AtomicLong();
    public final AtomicLong acked = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong expired = new AtomicLong();
    /** Ack JSON that is not {"id":string,"ok":boolean,...}, or on a malformed topic. */
    public final AtomicLong badAcks = new AtomicLong();
    /** Ack for an id the store does not know, or from another meter than the command's. */
    public final AtomicLong unknownAcks = new AtomicLong();
    /** Ack for a command already closed (a repeated ack, or one after expiry). */
    public final AtomicLong repeatedAcks = new AtomicLong();
    /** Microseconds from the first publish of a command to its ack (commands sent by this process). */
    public final Recorder roundTripMicros = new Recorder(3);
}
