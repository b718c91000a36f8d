package org.meterhub.app.runtime;

import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.cjt188.Cjt188ReadingMapper;
import org.meterhub.gateway.cjt188.Cjt188Session;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.MeterSession;
import org.meterhub.gateway.modbus.ModbusLink;
import org.meterhub.gateway.modbus.ModbusReadingMapper;
import org.meterhub.gateway.modbus.ModbusSession;
import org.meterhub.gateway.poll.BusPoller;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.gateway.poll.PollStats;
import org.meterhub.gateway.serial.Parity;
import org.meterhub.gateway.serial.SerialCjt188Bus;
import org.meterhub.gateway.serial.SerialSettings;

/**
 * The buses the gateway opens itself, as opposed to DTUs that dial in: local RS-485 ports (CJ/T 188
 * through the Netty pipeline, Modbus RTU through j2mod) and Modbus TCP / RTU-over-TCP devices. Each
 * is polled by its own {@link BusPoller}, with the same sink and counters as the DTU buses.
 */
public final class LocalBuses implements AutoCloseable {
    private final List<BusPoller> pollers = new ArrayList<>();
    private final Map<String, BusPoller> pollerOfMeter = new HashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ModbusSession.Counters modbusCounters = new ModbusSession.Counters();
    private final Cjt188Session.Counters cjt188Counters = new Cjt188Session.Counters();
    private ExecutorService io;
    private org.meterhub.gateway.poll.BusHealthRegistry health;
    private int meters;

    private LocalBuses() {
    }

    /**
     * Opens every configured serial line and Modbus device and starts polling them. A serial port that
     * cannot be opened is an error naming it (nothing stays open); a TCP device that is down is not:
     * its session reconnects with backoff.
     */
    public static LocalBuses open(GatewayConfig config, PollSettings poll, ReadingSink sink, PollStats stats,
                                  EventLoopGroup group, Clock clock) throws InterruptedException {
        return open(config, poll, sink, stats, group, clock,
                new org.meterhub.gateway.poll.BusHealthRegistry(clock, org.meterhub.gateway.poll.BusHealth.DEFAULT_WINDOW));
    }

    /** As above, each bus's polls and connection counted into {@code health} under its kind and name. */
    public static LocalBuses open(GatewayConfig config, PollSettings poll, ReadingSink sink, PollStats stats,
                                  EventLoopGroup group, Clock clock, org.meterhub.gateway.poll.BusHealthRegistry health)
            throws InterruptedException {
        LocalBuses b = new LocalBuses();
        b.health = health;
        try {
            b.start(config, poll, sink, stats, group, clock);
        } catch (RuntimeException | InterruptedException e) {
            b.close();
            throw e;
        }
        return b;
    }

    private void start(GatewayConfig config, PollSettings poll, ReadingSink sink, PollStats stats, EventLoopGroup group,
                       Clock clock) throws InterruptedException {
        MeterEndpoints endpoints = new MeterEndpoints();
        ModbusReadingMapper modbusMapper = new ModbusReadingMapper(clock, config.poll().maxClockSkew());
        int modbusSessions = (int) (config.modbus().size()
                + config.serial().stream().filter(s -> s.protocol().equals("modbus-rtu")).count());
        if (modbusSessions > 0) {
            // j2mod blocks: one thread per session up to 8, so one slow device does not hold up the others
            io = Executors.newFixedThreadPool(Math.min(modbusSessions, 8), r -> {
                Thread t = new Thread(r, "modbus-io");
                t.setDaemon(true);
                return t;
            });
        }
        for (int i = 0; i < config.serial().size(); i++) {
            GatewayConfig.SerialSection s = config.serial().get(i);
            SerialSettings line = new SerialSettings(s.port(), s.baud(), Parity.valueOf(s.parity().toUpperCase(java.util.Locale.ROOT)),
                    s.interFrameDelay());
            PollSettings linePoll = new PollSettings(poll.interval(), poll.jitter(), poll.timeout(), s.interFrameDelay(),
                    poll.retries(), poll.retryBackoff(), poll.degradeAfter(), poll.degradeFactor(), poll.firstPollSpread(),
                    poll.confirmationReads());
            List<MeterEndpoint> ms = s.meters().stream().map(endpoints::of).toList();
            meters += ms.size();
            if (s.protocol().equals("cjt188")) {
                SerialCjt188Bus bus;
                try {
                    bus = SerialCjt188Bus.open(line, ms, linePoll, new Cjt188ReadingMapper(config.zone(), clock,
                            config.poll().maxClockSkew()), sink, stats, cjt188Counters, group,
                            config.dtu().maxBytesWithoutFrame(), config.dtu().preambleBytes(),
                            health.bus("serial-cjt188", s.port()));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("serial[" + i + "] " + s.port() + ": " + e.getMessage(), e);
                }
                open.add(bus);
                add(bus.poller(), ms);
            } else {
                ModbusSession session = new ModbusSession(new ModbusLink.Serial(line), poll.timeout(), modbusMapper, io,
                        modbusCounters);
                poll(session, "serial:" + s.port(), "serial-modbus", s.port(), ms, linePoll, sink, stats, group);
            }
        }
        for (GatewayConfig.ModbusDeviceSection d : config.modbus()) {
            HostPort hp = HostPort.parse(d.connect());
            ModbusLink link = d.transport().equals("tcp") ? new ModbusLink.Tcp(hp.host(), hp.port())
                    : new ModbusLink.RtuOverTcp(hp.host(), hp.port());
            List<MeterEndpoint> ms = d.meters().stream().map(endpoints::of).toList();
            meters += ms.size();
            poll(new ModbusSession(link, poll.timeout(), modbusMapper, io, modbusCounters), link.label(),
                    d.transport().equals("tcp") ? "modbus-tcp" : "modbus-rtu-over-tcp", hp.host() + ":" + hp.port(), ms, poll,
                    sink, stats, group);
        }
    }

    /** @param name the bus as the console names it: the serial port, or the device's host:port */
    private void poll(ModbusSession session, String busId, String kind, String name, List<MeterEndpoint> ms,
                      PollSettings poll, ReadingSink sink, PollStats stats, EventLoopGroup group) {
        open.add(session::close);
        org.meterhub.gateway.poll.BusHealth h = health.bus(kind, name).connectedBy(session::connected);
        BusPoller poller = new BusPoller(busId, session, ms, poll, sink, stats, group.next(), busId.hashCode()).kind(kind)
                .health(h);
        add(poller, ms);
        poller.start();
    }

    private void add(BusPoller poller, List<MeterEndpoint> ms) {
        pollers.add(poller);
        for (MeterEndpoint m : ms) pollerOfMeter.put(m.meterId(), poller);
    }

    public boolean knows(String meterId) {
        return pollerOfMeter.containsKey(meterId);
    }

    /** Reads one meter now through its bus's poller; see {@link BusPoller#readNow}. */
    public CompletableFuture<Reading> readNow(String meterId) {
        BusPoller p = pollerOfMeter.get(meterId);
        if (p == null) return CompletableFuture.failedFuture(new IllegalArgumentException("meter " + meterId + " is not configured"));
        return p.readNow(meterId);
    }

    public CompletableFuture<Void> readAllNow() {
        return CompletableFuture.allOf(pollers.stream().map(BusPoller::readAllNow).toArray(CompletableFuture[]::new));
    }

    public void stopPolling() {
        pollers.forEach(BusPoller::stop);
    }

    public int configuredMeters() {
        return meters;
    }

    public int onlineMeters() {
        return pollers.stream().mapToInt(BusPoller::onlineMeters).sum();
    }

    public ModbusSession.Counters modbusCounters() {
        return modbusCounters;
    }

    @Override
    public void close() {
        stopPolling();
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a port that is already gone is not worth more than the shutdown itself
            }
        }
        if (io != null) {
            io.shutdown();
            try {
                io.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
