package org.meterhub.app.gateway;

import java.net.InetSocketAddress;
import java.nio.file.Path;
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
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockTrust;
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
            cfg = cfg.withDtu(cfg.dtu().withListen(listen));
        }
        if (cfg.journal().forwardTo() != null) {
            // No store here to keep the settings row in: the log keeps the file's digest (docs/security.md).
            var d = org.meterhub.app.security.SettingsAudit.digest(config);
            org.slf4j.LoggerFactory.getLogger(GatewayCommand.class).info("settings gateway from {} (sha256 {}), started by {}",
                    d.file(), d.sha256(), org.meterhub.app.config.CliArgs.osUser());
            return org.meterhub.app.forward.ForwardingGatewayRun.run(cfg);
        }
        String url = store != null ? store : cfg.store();
        MeterStore db;
        try {
            db = StoreFactory.open(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException((store != null ? "--store: " : config + ": store: ") + e.getMessage());
        }
        // Which settings this box runs with, and what changed since the last start, is on record (docs/security.md).
        org.meterhub.app.security.SettingsAudit.recordAtStart(url, "gateway", config);
        if (cfg.alarms().deadlines() != null) {
            org.meterhub.app.security.SettingsAudit.recordAtStart(url, "deadlines", Path.of(cfg.alarms().deadlines()));
        }
        // Which clock is wrong: a box booting with a flat RTC battery shows 2000-01-01 until network time arrives.
        ClockTrust trust = ClockTrust.system(cfg.clock().settings(cfg.poll().maxClockSkew()));
        trust.raiseFloor(SingleBox.newestReading(db, cfg));
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(60));
        StatusLine status = new StatusLine(System.out);
        AlarmPublishing alarms = AlarmPublishing.start(cfg.alarms(), cfg.mqtt().brokerTls());
        // flags, corrections, alarms next to the readings; leak thresholds, zone, valve policy and converter checks
        // from the file
        IngestRules rules = SingleBox.rules(cfg, url, alarms.sink(), trust.clock());
        try (db; alarms; SingleBox box = new SingleBox(cfg, db, rules, trust, SingleBox.pollSettings(cfg.poll()), 2)) {
            ClockGuard clock = box.clockGuard().orElseThrow();
            boolean registered = registerMeters(db, cfg, trust);
            if (cfg.alarms().mqtt() != null) {
                System.out.printf("alarms published on %s, topic %salarms/<subject>%n", cfg.alarms().mqtt(), cfg.alarms().topicPrefix());
            }
            InetSocketAddress at = box.start();
            org.meterhub.app.runtime.Health health = new org.meterhub.app.runtime.Health(box.storeHealth(), box.journal(),
                    clock);
            org.meterhub.app.read.AdminServer admin = org.meterhub.app.read.AdminServer.forConfig(cfg.admin(), box::readNow,
                    new org.meterhub.app.runtime.HealthEndpoint(health));
            // The box's own faults reach operators as alarms too, not only as log lines and /health.
            org.meterhub.app.alarm.ProcessAlarms processAlarms = alarms.processAlarms("gateway-" + cfg.journal().gatewayId(),
                    java.util.List.of(org.meterhub.app.alarm.ProcessAlarms.storeDown(box.storeHealth(), cfg.alarms().storeDownAfter()),
                            org.meterhub.app.alarm.ProcessAlarms.journalCannotWrite(box.journal()),
                            org.meterhub.app.alarm.ProcessAlarms.journalDiskLow(box.journal()),
                            org.meterhub.app.alarm.ProcessAlarms.clockUntrusted(clock)));
            System.out.printf("meterhub gateway: %d buses, %d meters, listening for DTUs on %s, store %s%s%n",
                    cfg.buses().size() + cfg.serial().size() + cfg.modbus().size(), box.configuredMeters(), at, db.describe(),
                    admin == null ? "" : ", admin on " + admin.address());
            System.out.println(clock.statusText());
            GatewayStatusWriter statusWriter = GatewayStatusWriter.open(url);
            while (!signal.await(Duration.ofSeconds(10))) {
                if (!registered) registered = registerMeters(db, cfg, trust);
                java.time.Instant now = trust.now();
                if (now != null) statusWriter.write(box.status(cfg.journal().gatewayId(), now)); // for the console's Gateways page
                var s = box.buses().stats();
                status.show(String.format("DTUs %d  meters online %d/%d  readings %d  stored %d  failed polls %d  %s%s",
                        box.dtuServer().connectedCount(), box.onlineMeters(), box.configuredMeters(),
                        s.readings.get(), box.ingestStats().stored(), s.failedPolls.get(), health.statusText(),
                        box.dtuServer().stats().refusalsText()));
            }
            status.end();
            statusWriter.close();
            processAlarms.close();
            if (admin != null) admin.close();
            box.finish(Duration.ofSeconds(30));
            System.out.println(clock.held() == 0 ? "stopped; everything accepted is stored"
                    : "stopped; " + clock.held() + " readings wait for a time the gateway can trust (kept for the next start)");
        } finally {
            signal.finished();
        }
        return 0;
    }

    /**
     * Registers the configured meters' commissioning readings at the gateway's time; not before it has one, or a
     * commissioning would be dated 2000-01-01 and the first interval would span decades.
     */
    private static boolean registerMeters(MeterStore db, GatewayConfig cfg, ClockTrust trust) {
        java.time.Instant now = trust.now();
        if (now == null) return false;
        SingleBox.registerMeters(db, cfg, now);
        return true;
    }
}
