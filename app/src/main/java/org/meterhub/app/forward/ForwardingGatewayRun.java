package org.meterhub.app.forward;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.gateway.journal.JournalStats;

/** {@code meterhub gateway} when the config names a remote engine (journal.forward-to). */
public final class ForwardingGatewayRun {
    private ForwardingGatewayRun() {
    }

    public static int run(GatewayConfig cfg) throws Exception {
        Clock clock = Clock.systemUTC();
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(30));
        StatusLine status = new StatusLine(System.out);
        try (ForwardingGateway gw = new ForwardingGateway(cfg, clock, SingleBox.pollSettings(cfg.poll()), 2)) {
            InetSocketAddress at = gw.start();
            System.out.printf("meterhub gateway %s: %d buses, %d meters, listening for DTUs on %s, journal %s,"
                            + " forwarding to %s%n", cfg.journal().gatewayId(), cfg.buses().size() + cfg.serial().size() + cfg.modbus().size(),
                    gw.buses().configuredMeters(), at, gw.journal().settings().path(), cfg.journal().forwardTo());
            while (!signal.await(Duration.ofSeconds(10))) {
                JournalStats j = gw.journal().stats();
                status.show(String.format("DTUs %d  meters online %d/%d  journalled %d  waiting %d  acknowledged %d"
                                + "  journal %s %d KiB  refused %d", gw.buses().dtuServer().connectedCount(),
                        gw.buses().onlineMeters(), gw.buses().configuredMeters(), j.appended(), j.pending(),
                        gw.forwarder().stats().readingsAcknowledged(), j.level(), j.usedBytes() >> 10, j.refused())
                        + "  " + new org.meterhub.app.runtime.Health(null, gw.journal()).statusText());
            }
            status.end();
            boolean drained = gw.finish(Duration.ofSeconds(10));
            System.out.println(drained ? "stopped; the engine acknowledged everything journalled"
                    : "stopped; " + gw.journal().stats().pending() + " readings stay journalled and are sent at the next start");
        } finally {
            signal.finished();
        }
        return 0;
    }
}
