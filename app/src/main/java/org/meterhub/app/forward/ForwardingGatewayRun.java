package org.meterhub.app.forward;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.alarm.ProcessAlarms;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.Health;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.journal.JournalStats;

/** {@code meterhub gateway} when the config names a remote engine (journal.forward-to). */
public final class ForwardingGatewayRun {
    private ForwardingGatewayRun() {
    }

    public static int run(GatewayConfig cfg) throws Exception {
        ClockTrust trust = ClockTrust.system(cfg.clock().settings(cfg.poll().maxClockSkew()));
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(30));
        StatusLine status = new StatusLine(System.out);
        try (AlarmPublishing alarms = AlarmPublishing.start(cfg.alarms(), cfg.mqtt().brokerTls());
             ForwardingGateway gw = new ForwardingGateway(cfg, trust, SingleBox.pollSettings(cfg.poll()), 2);
             ProcessAlarms processAlarms = alarms.processAlarms("gateway-" + cfg.journal().gatewayId(), List.of(
                     ProcessAlarms.journalCannotWrite(gw.journal()), ProcessAlarms.journalDiskLow(gw.journal()),
                     ProcessAlarms.clockUntrusted(gw.clockGuard().orElseThrow())))) {
            Health health = new Health(null, gw.journal(), gw.clockGuard().orElseThrow());
            InetSocketAddress at = gw.start();
            org.meterhub.app.read.AdminServer admin = org.meterhub.app.read.AdminServer.forConfig(cfg.admin(),
                    gw.buses()::readNow, new org.meterhub.app.runtime.HealthEndpoint(health)
                            .with(new org.meterhub.app.runtime.HealthEndpoint.Check("broker", gw.forwarder()::connected)));
            System.out.printf("meterhub gateway %s: %d buses, %d meters, listening for DTUs on %s, journal %s,"
                            + " forwarding to %s%n", cfg.journal().gatewayId(), cfg.buses().size() + cfg.serial().size() + cfg.modbus().size(),
                    gw.buses().configuredMeters(), at, gw.journal().settings().path(), cfg.journal().forwardTo());
            while (!signal.await(Duration.ofSeconds(10))) {
                java.time.Instant now = trust.now();
                if (now != null) gw.publishStatus(cfg.journal().gatewayId(), now); // the engines' Gateways page
                JournalStats j = gw.journal().stats();
                status.show(String.format("DTUs %d  meters online %d/%d  journalled %d  waiting %d  acknowledged %d"
                                + "  journal %s %d KiB  refused %d  %s%s%s", gw.buses().dtuServer().connectedCount(),
                        gw.buses().onlineMeters(), gw.buses().configuredMeters(), j.appended(), j.pending(),
                        gw.forwarder().stats().readingsAcknowledged(), j.level(), j.usedBytes() >> 10, j.refused(),
                        health.statusText(), gw.buses().dtuServer().stats().refusalsText(),
                        gw.alarms().pending() == 0 ? "" : "  alarms waiting for an engine " + gw.alarms().pending()));
            }
            status.end();
            if (admin != null) admin.close();
            boolean drained = gw.finish(Duration.ofSeconds(10));
            System.out.println(drained ? "stopped; the engine acknowledged everything journalled"
                    : "stopped; " + gw.journal().stats().pending() + " readings stay journalled and are sent at the next start");
        } finally {
            signal.finished();
        }
        return 0;
    }
}
