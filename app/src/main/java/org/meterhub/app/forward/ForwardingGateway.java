package org.meterhub.app.forward;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.PolledBuses;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalSink;
import org.meterhub.gateway.poll.PollSettings;

/**
 * The gateway without an engine: DTUs dial in, DTU, serial and Modbus buses are polled, every reading is committed to the
 * journal, and the forwarder sends the journal to the engines over MQTT (journal.forward-to).
 */
public final class ForwardingGateway implements AutoCloseable {
    private final JournalForwarding link;
    private final PolledBuses buses;
    private final ClockGuard clockGuard;

    public ForwardingGateway(GatewayConfig config, Clock clock, PollSettings poll, int ioThreads) {
        this.link = JournalForwarding.toBroker(config.journal(), config.mqtt().brokerTls());
        this.clockGuard = null;
        this.buses = new PolledBuses(config, poll, new JournalSink(link.journal()), clock, ioThreads);
        alarmRefusals();
        uplink(config);
    }

    /** With {@code trust} deciding which clock is wrong; readings without a time are held next to the journal. */
    public ForwardingGateway(GatewayConfig config, ClockTrust trust, PollSettings poll, int ioThreads) {
        this.link = JournalForwarding.toBroker(config.journal(), config.mqtt().brokerTls());
        this.clockGuard = ClockGuard.open(trust, ClockGuard.heldPathFor(link.journal().settings().path()),
                link.journal()::append, link.journal()::accepting);
        this.buses = new PolledBuses(config, poll, clockGuard, trust.clock(), ioThreads);
        alarmRefusals();
        uplink(config);
    }

    /** The MQTT uplink to the engines is a bus of this gateway too: its batches acknowledged or refused, its broker. */
    private org.meterhub.gateway.poll.BusHealth uplink;
    private long uplinkAcks;
    private long uplinkNacks;

    private void uplink(GatewayConfig config) {
        uplink = buses.dtuBuses().busHealth().bus("mqtt-uplink", brokerName(config.journal().forwardTo()))
                .connectedBy(() -> link.forwarder() != null && link.connected());
    }

    /** host:port of the broker, without the scheme or any user name in the URI. */
    static String brokerName(String forwardTo) {
        try {
            java.net.URI u = java.net.URI.create(forwardTo);
            if (u.getHost() != null) return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        } catch (IllegalArgumentException e) {
            // not a URI: shown as written below, without what could be a password
        }
        String s = forwardTo.replaceFirst("^[a-z]+://", "");
        return s.substring(s.lastIndexOf('@') + 1);
    }

    /** Adds the batches acknowledged and refused since the last status to the uplink's window. */
    private synchronized void countUplink() {
        org.meterhub.gateway.forward.ForwarderStats st = link.forwarder().stats();
        long acks = st.acks();
        long nacks = st.nacks();
        uplink.count(acks - uplinkAcks, nacks - uplinkNacks, nacks > uplinkNacks ? "nack" : null);
        uplinkAcks = acks;
        uplinkNacks = nacks;
    }

    /**
     * A refused DTU takeover is a TAMPER alarm in the engines' store, as on a single box: sent over the forwarding link
     * (at most one per DTU and minute), not only counted and logged here.
     */
    private void alarmRefusals() {
        link.alarms().ifPresent(a -> buses.onDtuRefusal(new org.meterhub.app.runtime.DtuRefusalAlarms(
                (kind, subject, detail, at) -> a.raise(kind.name(), subject, detail, at), Duration.ofMinutes(1))));
    }

    /** Alarms on their way to the engines' store (refused DTU takeovers). */
    public org.meterhub.gateway.forward.ForwardedAlarms alarms() {
        return link.alarms().orElseThrow();
    }

    /** Present when built with a {@link ClockTrust}. */
    public java.util.Optional<ClockGuard> clockGuard() {
        return java.util.Optional.ofNullable(clockGuard);
    }

    public InetSocketAddress start() throws InterruptedException {
        return buses.start();
    }

    public Journal journal() {
        return link.journal();
    }

    public Forwarder forwarder() {
        return link.forwarder();
    }

    /** This gateway's status, sent to the engines on the batches' broker for their console; false when not sent. */
    public boolean publishStatus(String gatewayId, java.time.Instant at) {
        countUplink();
        return link.publishStatus(buses.status(gatewayId, at, link.journal().stats()));
    }

    /** DTU, serial and Modbus buses alike. */
    public PolledBuses buses() {
        return buses;
    }

    /** Stops polling and gives the engine a while to acknowledge; what it does not stays journalled. */
    public boolean finish(Duration maxWait) throws InterruptedException {
        buses.stopPolling();
        return link.forwarder().awaitDrained(maxWait);
    }

    @Override
    public void close() {
        buses.close();
        if (clockGuard != null) clockGuard.close();
        link.close();
    }
}
