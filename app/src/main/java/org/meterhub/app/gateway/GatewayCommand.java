package org.meterhub.app.gateway;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.app.runtime.StatusLine;
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
            cfg = new GatewayConfig(cfg.zone(), cfg.store(), new GatewayConfig.DtuSection(listen, d.registrationTimeout(),
                    d.idleTimeout(), d.heartbeat(), d.maxBytesWithoutFrame(), d.preambleBytes()), cfg.poll(), cfg.buses(),
                    cfg.journal());
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
        try (db; SingleBox box = new SingleBox(cfg, db, clock, SingleBox.pollSettings(cfg.poll()), 2)) {
            SingleBox.registerMeters(db, cfg, clock.instant());
            InetSocketAddress at = box.start();
            System.out.printf("meterhub gateway: %d buses, %d meters, listening for DTUs on %s, store %s%n",
                    cfg.buses().size(), box.buses().configuredMeters(), at, db.describe());
            while (!signal.await(Duration.ofSeconds(10))) {
                var s = box.buses().stats();
                status.show(String.format("DTUs %d  meters online %d/%d  readings %d  stored %d  failed polls %d",
                        box.dtuServer().connectedCount(), box.buses().onlineMeters(), box.buses().configuredMeters(),
                        s.readings.get(), box.ingest().stats().stored(), s.failedPolls.get()));
            }
            status.end();
            box.finish(Duration.ofSeconds(30));
            System.out.println("stopped; everything accepted is stored");
        } finally {
            signal.finished();
        }
        return 0;
    }
}
