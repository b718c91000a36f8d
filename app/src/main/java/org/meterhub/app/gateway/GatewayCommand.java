package org.meterhub.app.gateway;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The concentrator with the engine in the same process (single-box mode). */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the gateway: accept DTU dial-ins, poll the configured meters, store readings and consumption.")
public final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--config", defaultValue = "gateway.yaml", description = "Gateway YAML file (default ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--store", description = "Store URL; overrides the file's `store`.")
    String store;

    @Option(names = "--listen", description = "host:port for DTU dial-ins; overrides the file's `dtu.listen`.")
    String listen;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg = new ConfigLoader().load(config, GatewayConfig.class);
        if (listen != null) {
            try {
                HostPort.parse(listen);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--listen: " + e.getMessage());
            }
            GatewayConfig.DtuSection d = cfg.dtu();
            cfg = cfg.withDtu(new GatewayConfig.DtuSection(listen, d.registrationTimeout(),
                    d.idleTimeout(), d.heartbeat(), d.maxBytesWithoutFrame(), d.preambleBytes()));
        }
        if (cfg.journal().forwardTo() != null) return org.meterhub.app.forward.ForwardingGatewayRun.run(cfg);
        String url = store != null ? store : cfg.store();
        MeterStore db;
        try {
            db = StoreFactory.open(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException((store != null ? "--store: " : config + ": store: ") + e.getMessage());
        }
        Clock clock = Clock.systemUTC();
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(60));
        StatusLine status = new StatusLine(System.out);
        AlarmPublishing alarms = AlarmPublishing.start(cfg.alarms());
        // flags, corrections, alarms next to the readings; leak thresholds, zone and valve policy from the file
        IngestRules rules = IngestRules.forStore(url, alarms.sink(), clock, cfg.ruleOptions());
        try (db; alarms; SingleBox box = new SingleBox(cfg, db, rules, clock, SingleBox.pollSettings(cfg.poll()), 2)) {
            SingleBox.registerMeters(db, cfg, clock.instant());
            if (cfg.alarms().mqtt() != null) {
                System.out.printf("alarms published on %s, topic %salarms/<subject>%n", cfg.alarms().mqtt(), cfg.alarms().topicPrefix());
            }
            InetSocketAddress at = box.start();
            org.meterhub.app.read.AdminServer admin = startAdmin(cfg.admin(), box);
            System.out.printf("meterhub gateway: %d buses, %d meters, listening for DTUs on %s, store %s%s%n",
                    cfg.buses().size() + cfg.serial().size() + cfg.modbus().size(), box.configuredMeters(), at, db.describe(),
                    admin == null ? "" : ", admin on " + admin.address());
            while (!signal.await(Duration.ofSeconds(10))) {
                var s = box.buses().stats();
                status.show(String.format("DTUs %d  meters online %d/%d  readings %d  stored %d  failed polls %d",
                        box.dtuServer().connectedCount(), box.onlineMeters(), box.configuredMeters(),
                        s.readings.get(), box.ingest().stats().stored(), s.failedPolls.get()));
            }
            status.end();
            if (admin != null) admin.close();
            box.finish(Duration.ofSeconds(30));
            System.out.println("stopped; everything accepted is stored");
        } finally {
            signal.finished();
        }
        return 0;
    }

    /** The loopback admin endpoint (on-demand reads); a port in use is reported, not fatal: polling goes on. */
    private static org.meterhub.app.read.AdminServer startAdmin(GatewayConfig.AdminSection a, SingleBox box) {
        if (!a.enabled()) return null;
        HostPort hp = HostPort.parse(a.listen());
        try {
            return org.meterhub.app.read.AdminServer.start(hp.host(), hp.port(), box::readNow, Duration.ofMinutes(2));
        } catch (java.io.IOException e) {
            System.err.println("meterhub: admin endpoint not started on " + a.listen() + ": " + e.getMessage()
                    + " (set admin.listen, or admin.enabled: false)");
            return null;
        }
    }
}
