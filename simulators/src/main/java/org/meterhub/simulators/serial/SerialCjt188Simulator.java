package org.meterhub.simulators.serial;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.protocol.cjt188.Cjt188Exception;
import org.meterhub.protocol.cjt188.Cjt188Frame;
import org.meterhub.protocol.cjt188.Cjt188FrameDecoder;
import org.meterhub.protocol.cjt188.Cjt188Frames;
import org.meterhub.protocol.cjt188.Cjt188Message;
import org.meterhub.protocol.cjt188.Cjt188Messages;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.MeterFault;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.WireModel;

/**
 * CJ/T 188 meters on an RS-485 line, here the device end of a pseudo-terminal: requests are framed
 * with the project's own decoder (the meters' firmware would be stricter, not looser), replies go
 * out when the line would deliver them, with the meters' faults and optional line noise.
 */
public final class SerialCjt188Simulator implements AutoCloseable {
    private final Map<MeterAddress, SimulatedCjt188Meter> meters = new HashMap<>();
    private final WireModel wire;
    private final int preambleBytes;
    private final Random random;
    private final EmbeddedChannel framer = new EmbeddedChannel(new Cjt188FrameDecoder(4096));
    private final SimSerialPort port;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private volatile byte[] flood;

    public SerialCjt188Simulator(String path, int baud, char parity, List<SimulatedCjt188Meter> meters, WireModel wire,
                                 int preambleBytes, long seed) {
        for (SimulatedCjt188Meter m : meters) this.meters.put(m.address(), m);
        this.wire = wire;
        this.preambleBytes = preambleBytes;
        this.random = new Random(seed);
        this.port = SimSerialPort.open(path, baud, parity, this::onBytes, seed);
    }

    public SimSerialPort port() {
        return port;
    }

    public long requests() {
        return requests.get();
    }

    public long replies() {
        return replies.get();
    }

    /** From now on every request is answered with {@code bytes} instead of a frame (a babbling device). */
    public void babble(byte[] bytes) {
        this.flood = bytes.clone();
    }

    private synchronized void onBytes(byte[] bytes) {
        framer.writeInbound(Unpooled.wrappedBuffer(bytes));
        for (Object o = framer.readInbound(); o != null; o = framer.readInbound()) {
            requests.incrementAndGet();
            byte[] f = flood;
            if (f != null) {
                port.send(f, 0);
                continue;
            }
            answer((Cjt188Frame) o);
        }
    }

    private void answer(Cjt188Frame frame) {
        Cjt188Message request;
        try {
            request = Cjt188Messages.decode(frame);
        } catch (Cjt188Exception e) {
            return; // a real meter ignores a request it cannot parse
        }
        SimulatedCjt188Meter meter = meters.get(request.address());
        if (meter == null && request.address().equals(MeterAddress.WILDCARD) && meters.size() == 1) {
            meter = meters.values().iterator().next();
        }
        if (meter == null || meter.shows(MeterFault.SILENT)) return;
        Optional<Cjt188Message> reply = meter.answer(request);
        if (reply.isEmpty()) return;
        int requestBytes = Cjt188Frames.encode(frame, preambleBytes).length;
        byte[] out = Cjt188Frames.encode(Cjt188Messages.encode(reply.get()), preambleBytes);
        if (meter.shows(MeterFault.CORRUPT_BYTE)) {
            out[preambleBytes + random.nextInt(out.length - preambleBytes)] ^= (byte) (1 << random.nextInt(8));
        }
        if (meter.shows(MeterFault.GARBAGE_BEFORE)) {
            byte[] noise = new byte[1 + random.nextInt(8)];
            random.nextBytes(noise);
            byte[] both = new byte[noise.length + out.length];
            System.arraycopy(noise, 0, both, 0, noise.length);
            System.arraycopy(out, 0, both, noise.length, out.length);
            out = both;
        }
        long delay = wire.exchangeMicros(requestBytes, out.length);
        if (meter.shows(MeterFault.LATE_REPLY)) delay += 5_000_000;
        replies.incrementAndGet();
        port.send(out, delay);
    }

    @Override
    public void close() {
        port.close();
        synchronized (this) {
            framer.finishAndReleaseAll();
        }
    }
}
