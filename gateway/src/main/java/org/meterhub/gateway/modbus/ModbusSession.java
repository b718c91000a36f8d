package org.meterhub.gateway.modbus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.MeterSession;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.modbus.FieldValue;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Modbus bus (a TCP device, an RTU-over-TCP converter or a serial line) behind the
 * {@link MeterSession} SPI. j2mod blocks, so transactions run on a shared I/O executor, one at a
 * time per session; the poll scheduler sees only futures.
 *
 * <p>A connection that fails, or a peer that sends something that is not a valid reply, is closed
 * ("cut off") and counted; the next read reconnects, but not before a backoff that doubles from
 * one second to a minute while connecting keeps failing.
 */
public final class ModbusSession implements MeterSession {
    private static final Logger log = LoggerFactory.getLogger(ModbusSession.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final ModbusLink link;
    private final ModbusTransport transport;
    private final ModbusReadingMapper mapper;
    private final Executor io;
    private final Counters counters;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;
    // touched only by the transaction running under `busy`
    private long reconnectNotBeforeNanos;
    private Duration backoff = FIRST_BACKOFF;
    private volatile boolean failing;

    /** Per-session protocol counters. */
    public static final class Counters {
        public final AtomicLong transactions = new AtomicLong();
        public final AtomicLong exceptionReplies = new AtomicLong();
        public final AtomicLong invalidReplies = new AtomicLong();
        public final AtomicLong connectFailures = new AtomicLong();
        public final AtomicLong cutOff = new AtomicLong();
    }

    public ModbusSession(ModbusLink link, Duration timeout, ModbusReadingMapper mapper, Executor io, Counters counters) {
        this(link, new J2modTransport(link, timeout), mapper, io, counters);
    }

    ModbusSession(ModbusLink link, ModbusTransport transport, ModbusReadingMapper mapper, Executor io, Counters counters) {
        this.link = link;
        this.transport = transport;
        this.mapper = mapper;
        this.io = io;
        this.counters = counters;
    }

    public ModbusLink link() {
        return link;
    }

    public Counters counters() {
        return counters;
    }

    @Override
    public CompletableFuture<Reading> read(MeterEndpoint meter) {
        return readout(meter).thenApply(ModbusReadout::reading);
    }

    /** Reads every register of the meter's profile: the reading plus each decoded value. */
    public CompletableFuture<ModbusReadout> readout(MeterEndpoint meter) {
        CompletableFuture<ModbusReadout> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new ReadFailure(ReadFailure.Kind.CLOSED, link.label() + " is closed"));
            return result;
        }
        if (!(meter.options() instanceof ModbusOptions options)) {
            result.completeExceptionally(new IllegalArgumentException("meter " + meter.meterId() + " has no Modbus options"));
            return result;
        }
        if (!busy.compareAndSet(false, true)) {
            result.completeExceptionally(new ReadFailure(ReadFailure.Kind.BUSY, link.label() + " has a request outstanding"));
            return result;
        }
        try {
            io.execute(() -> {
                ModbusReadout readout = null;
                Throwable failure = null;
                try {
                    readout = transact(meter, options);
                } catch (ReadFailure e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new ReadFailure(ReadFailure.Kind.BAD_REPLY, String.valueOf(e.getMessage()));
                }
                // free the bus before anyone waiting on the result can ask for the next read
                busy.set(false);
                if (failure == null) result.complete(readout);
                else result.completeExceptionally(failure);
            });
        } catch (RuntimeException rejected) {
            busy.set(false);
            result.completeExceptionally(new ReadFailure(ReadFailure.Kind.CLOSED, "I/O executor is shut down"));
        }
        return result;
    }

    private ModbusReadout transact(MeterEndpoint meter, ModbusOptions options) {
        if (closed) throw new ReadFailure(ReadFailure.Kind.CLOSED, link.label() + " is closed");
        long wait = reconnectNotBeforeNanos - System.nanoTime();
        if (failing && wait > 0) {
            throw new ReadFailure(ReadFailure.Kind.TIMEOUT, link.label() + " is unreachable; next connect in "
                    + Duration.ofNanos(wait).toMillis() + " ms");
        }
        RegisterProfile profile = options.profile();
        List<int[]> blocks = new ArrayList<>();
        for (RegisterProfile.Block b : profile.blocks()) {
            counters.transactions.incrementAndGet();
            try {
                blocks.add(transport.readRegisters(options.unitId(), b.function(), b.address(), b.count()));
            } catch (ModbusTransport.TransportException e) {
                throw failure(e);
            }
        }
        if (failing) log.info("{}: answering again", link.label());
        failing = false;
        backoff = FIRST_BACKOFF;
        Map<String, FieldValue> values = RegisterDecoder.decodeAll(profile, blocks);
        return new ModbusReadout(mapper.toReading(meter.meterId(), profile, values), values);
    }

    private ReadFailure failure(ModbusTransport.TransportException e) {
        switch (e.kind()) {
            case EXCEPTION_REPLY -> {
                counters.exceptionReplies.incrementAndGet();
                return new ReadFailure(ReadFailure.Kind.METER_ERROR, e.getMessage());
            }
            case CONNECT -> {
                counters.connectFailures.incrementAndGet();
                if (!failing) log.warn("{}: {}", link.label(), e.getMessage());
                failing = true;
                reconnectNotBeforeNanos = System.nanoTime() + backoff.toNanos();
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                return new ReadFailure(ReadFailure.Kind.TIMEOUT, e.getMessage());
            }
            default -> {
                counters.invalidReplies.incrementAndGet();
                counters.cutOff.incrementAndGet();
                log.debug("{}: {}; connection dropped", link.label(), e.getMessage());
                return new ReadFailure(ReadFailure.Kind.TIMEOUT, e.getMessage());
            }
        }
    }

    /** Connected as far as the last transaction knows: open, and its last connect did not fail. */
    public boolean connected() {
        return !closed && !failing;
    }

    /** Open until {@link #close()}: a lost connection is re-established by the next read. */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        // the transport is not thread-safe; close it on the I/O executor after any running transaction
        try {
            io.execute(transport::close);
        } catch (RuntimeException e) {
            transport.close();
        }
    }
}
