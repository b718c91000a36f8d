package org.meterhub.app.demo;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.Durations;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.simulators.cjt188.MeterFault;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole chain in one process on loopback: simulated CJ/T 188 gas meters behind simulated 4G
 * DTUs dial into the gateway, which polls them and hands readings to the engine and its store.
 * Simulated time runs {@code --speed} times faster; at the end every meter is read once more and
 * the run's ground truth is written next to the store.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run simulated gas meters, DTUs, the gateway and the engine together on loopback.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--meters", defaultValue = "200", description = "Simulated meters (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--dtus", defaultValue = "10", description = "Simulated 4G DTUs the meters sit behind (default ${DEFAULT-VALUE}).")
    int dtus;

    @Option(names = "--speed", defaultValue = "1440",
            description = "Simulated seconds per real second (default ${DEFAULT-VALUE}: a day per minute).")
    long speed;

    @Option(names = "--duration", defaultValue = "60s",
            description = "Real time to run, e.g. 30s, 5m; 0 runs until Ctrl-C (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--read-interval", defaultValue = "1h",
            description = "Each meter's read interval in simulated time (default ${DEFAULT-VALUE}).")
    String readInterval;

    @Option(names = "--baud", defaultValue = "9600",
            description = "RS-485 speed behind each DTU; replies take the wire time (default ${DEFAULT-VALUE}; 0 = no delay).")
    int baud;

    @Option(names = "--store", description = "Store URL (default from config: jdbc:sqlite:data/meterhub.db).")
    String store;

    @Option(names = "--config", description = "Gateway YAML file whose settings the demo uses (buses are generated).")
    Path config;

    @Option(names = "--faults", defaultValue = "0.02",
            description = "Share of meters that misbehave now and then: silence, noise, low battery (default ${DEFAULT-VALUE}).")
    double faults;

    @Option(names = "--seed", defaultValue = "188", description = "Seed of the simulated fleet (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--nbiot-meters", defaultValue = "20",
            description = "NB-IoT meters that upload a day of hourly readings at once, checked hour by hour (default ${DEFAULT-VALUE}; 0 = none).")
    int nbiotMeters;

    @Option(names = "--nbiot-days", defaultValue = "3",
            description = "Simulated days of daily batched uploads before the gas meters' start: 1, 3 or 5 (default ${DEFAULT-VALUE}).")
    int nbiotDays;

    @Option(names = "--http", defaultValue = "127.0.0.1:0", paramLabel = "HOST:PORT",
            description = "Serve the web console (and the HTTP API) here while the demo runs (default ${DEFAULT-VALUE}:"
                    + " a free loopback port); the address and a login for this run are printed.")
    String http;

    /** The console's settings from the --config file (its console: section). */
    private org.meterhub.engine.console.ConsoleSettings consoleSettings;
    private org.meterhub.engine.alarm.AlarmDeadlines alarmDeadlines;

    @Override
    public Integer call() throws Exception {
        if (meters < 1 || meters > 100_000) throw new ConfigException("--meters: expected 1 to 100000, got " + meters);
        if (dtus < 1 || dtus > meters) throw new ConfigException("--dtus: expected 1 to the number of meters, got " + dtus);
        if (speed < 1 || speed > 100_000) throw new ConfigException("--speed: expected 1 to 100000, got " + speed);
        if (faults < 0 || faults > 1) throw new ConfigException("--faults: expected a share from 0 to 1, got " + faults);
        if (nbiotMeters < 0 || nbiotMeters > 10_000) throw new ConfigException("--nbiot-meters: expected 0 to 10000, got " + nbiotMeters);
        // Odd: a day-late meter uploads every other day, so on an even last day its last day would still be unsent.
        if (nbiotDays < 1 || nbiotDays > 5 || nbiotDays % 2 == 0) {
            throw new ConfigException("--nbiot-days: expected 1, 3 or 5, got " + nbiotDays);
        }
        Duration runFor = parseDuration("--duration", duration, true);
        Duration simInterval = parseDuration("--read-interval", readInterval, false);
        GatewayConfig cfg = config != null ? new ConfigLoader().load(config, GatewayConfig.class) : GatewayConfig.defaults();
        String storeUrl = store != null ? store : cfg.store();
        InetSocketAddress consoleAt;
        try {
            org.meterhub.app.config.HostPort hp = org.meterhub.app.config.HostPort.parse(http);
            consoleAt = new InetSocketAddress(hp.host(), hp.port());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--http: " + e.getMessage());
        }
        consoleSettings = cfg.console().settings();
        alarmDeadlines = org.meterhub.app.config.DeadlinesFile.load(cfg.alarms().deadlines()).alarmDeadlines();

        // Created before anything that must be flushed: the shutdown hook waits for finished().
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(60));
        DemoConsole.LateClock pageClock = new DemoConsole.LateClock();
        try (MeterStore db = openStore(storeUrl); DemoConsole console = startConsole(db, storeUrl, cfg, pageClock, consoleAt)) {
            Instant simStart = startAfter(storeUrl, Instant.now());
            SimClock clock = new SimClock(simStart, speed);
            pageClock.set(clock);
            EventLoopGroup simGroup = new NioEventLoopGroup(1);
            try {
                Cjt188Fleet fleet = Cjt188Fleet.create(meters, dtus, clock, cfg.zone(),
                        baud == 0 ? WireModel.instant() : WireModel.rs485(baud), Duration.ofSeconds(20), seed);
                resumeRegisters(fleet, db);
                injectFaults(fleet);
                GatewayConfig demoCfg = demoConfig(cfg, fleet);
                for (SimulatedCjt188Meter m : fleet.meters()) {
                    db.registerMeter(new MeterInfo(m.address().digits(), Medium.GAS, m.initialRegisterL(), simStart,
                            MeterInfo.CJT188_CAPACITY_L));
                }
                Duration realInterval = simInterval.dividedBy(speed);
                PollSettings poll = SingleBox.pollSettings(demoCfg.poll())
                        .withInterval(realInterval, realInterval.dividedBy(10));
                return run(db, clock, fleet, demoCfg, poll, runFor, simGroup, signal, console);
            } finally {
                simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        } finally {
            signal.finished();
        }
    }

    /** @param console served from before the first status line to after the demo's last line; null for none */
    private int run(MeterStore db, SimClock clock, Cjt188Fleet fleet, GatewayConfig cfg, PollSettings poll,
                    Duration runFor, EventLoopGroup simGroup, ShutdownSignal signal, DemoConsole console) throws Exception {
        StatusLine status = new StatusLine(System.out);
        Instant simEnd;
        // The engine's flags, corrections and alarms go to the same database as the readings. Alarms
        // are raised at the readings' simulated times, so their deadlines run on the simulated clock.
        IngestRules rules = SingleBox.rules(cfg, store != null ? store : cfg.store(), AlarmSink.none(), clock);
        try (SingleBox box = new SingleBox(cfg, db, rules, clock, poll, 1)) {
            InetSocketAddress at = box.start();
            System.out.printf("meterhub demo: %d gas meters behind %d DTUs dialling into %s, store %s%n",
                    meters, dtus, at, db.describe());
            System.out.printf("simulated time starts %s and runs %dx (%s); press Ctrl-C to stop%n",
                    local(clock.start(), cfg), speed, runFor.isZero() ? "until Ctrl-C" : "for " + Durations.format(runFor));
            if (console != null) console.announce(System.out);
            else System.out.println("console: not served (an in-memory store has no second connection for it; give --store a file)");
            List<ChannelFuture> dials = fleet.connectAll(simGroup, new InetSocketAddress("127.0.0.1", at.getPort()));
            for (ChannelFuture f : dials) f.syncUninterruptibly();

            long startNanos = System.nanoTime();
            long lastReadings = 0;
            long lastNanos = startNanos;
            while (true) {
                Duration left = runFor.isZero() ? Duration.ofSeconds(1)
                        : runFor.minusNanos(System.nanoTime() - startNanos);
                if (left.isNegative() || left.isZero()) break;
                if (signal.await(left.compareTo(Duration.ofSeconds(1)) < 0 ? left : Duration.ofSeconds(1))) break;
                long now = System.nanoTime();
                long readings = box.buses().stats().readings.get();
                double rate = (readings - lastReadings) * 1e9 / Math.max(1, now - lastNanos);
                lastReadings = readings;
                lastNanos = now;
                status.show(statusText(box, clock, cfg, rate));
            }
            status.end();
            System.out.println("stopping: final read of every meter, then flushing the store ...");
            simEnd = clock.freeze();
            // The closing read is the one a technician would take on site: no line faults, so every
            // meter's final register reaches the store and the ground-truth comparison is exact.
            fleet.meters().forEach(SimulatedCjt188Meter::clearFaults);
            box.drain(Duration.ofSeconds(60));
            status.show(statusText(box, clock, cfg, 0));
            status.end();
            List<AlarmService.Overdue> overdue = rules.alarms().overdue();
            System.out.printf("alarms: %d open, %d overdue at simulated %s%n", rules.alarms().open().size(),
                    overdue.size(), local(clock.instant(), cfg).substring(0, 16));
            overdue.stream().limit(5).forEach(o -> System.out.printf("  overdue: %s %s %s%n", o.alarm().kind(),
                    o.alarm().subject(), o.missed()));
            if (!rules.alarms().open().isEmpty()) { // the alarms are in simulated time: judge them there
                System.out.printf("  ./meterhub alarms list --at %s%s%n", clock.instant().atZone(cfg.zone())
                        .toOffsetDateTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                        store == null ? "" : " --store '" + store + "'");
            }
        } finally {
            fleet.disconnectAll();
        }
        summarize(db, fleet, cfg, clock.start(), simEnd);
        if (nbiotMeters > 0) nbiot(db, cfg, clock.start());
        return 0;
    }

    /**
     * The web console on the demo's store, on the simulated clock (its alarms were raised in simulated time, and a
     * meter is stale by simulated time too), with an alarm lifecycle of its own on its own connection, so it keeps
     * serving after the gateway's rules have closed with the box. Null when the store is private to this process.
     */
    private DemoConsole startConsole(MeterStore db, String url, GatewayConfig cfg, java.time.Clock clock,
                                     InetSocketAddress at) throws IOException {
        if (!(db instanceof org.meterhub.engine.store.TimeSeriesStore ts) || org.meterhub.engine.jdbc.SqlDatabase
                .isPrivateMemory(url)) {
            return null;
        }
        try {
            return DemoConsole.start(url, ts, cfg.zone(), (rulesDb) -> new AlarmService(
                    new org.meterhub.engine.alarm.JdbcAlarmRepository(rulesDb), alarmDeadlines, AlarmSink.none(), clock),
                    consoleSettings, clock, at);
        } catch (java.net.BindException e) {
            throw new ConfigException("--http: cannot listen on " + at + ": " + e.getMessage());
        }
    }

    private String statusText(SingleBox box, SimClock clock, GatewayConfig cfg, double rate) {
        var s = box.buses().stats();
        var c = box.buses().protocolCounters();
        String line = String.format("%s  DTUs %d/%d  meters online %d/%d  readings/s %.0f  stored %d  failed polls %d  alarms %d",
                local(clock.instant(), cfg).substring(0, 16), box.dtuServer().connectedCount(), dtus,
                box.buses().onlineMeters(), meters, rate, box.ingestStats().stored(), s.failedPolls.get(),
                box.ingestStats().faultReadings() + box.ingestStats().registerDecreases()
                        + c.meterErrors.get());
        org.meterhub.app.runtime.Health health = new org.meterhub.app.runtime.Health(box.storeHealth(), box.journal());
        return health.healthy() ? line : line + "  " + health.statusText(); // the demo's line stays short while all is well
    }

    private void summarize(MeterStore db, Cjt188Fleet fleet, GatewayConfig cfg, Instant from, Instant to)
            throws IOException {
        Path truth = Path.of("data", "demo-truth.csv");
        Files.createDirectories(truth.getParent());
        try (Writer w = Files.newBufferedWriter(truth)) {
            fleet.writeTruth(w);
        }
        Instant queryTo = to.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        int equal = 0;
        List<String> differ = new ArrayList<>();
        for (SimulatedCjt188Meter m : fleet.meters()) {
            long stored = ConsumptionQuery.total(ConsumptionQuery.series(db, m.address().digits(), from, queryTo,
                    Step.DAY, cfg.zone()));
            if (stored == m.deliveredLitres()) equal++;
            else differ.add(m.address().digits() + " (simulator " + m.deliveredLitres() + " L, stored " + stored + " L)");
        }
        SimulatedCjt188Meter sample = fleet.meters().get(0);
        DateTimeFormatter iso = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
        System.out.printf("ground truth: %d of %d meters' stored consumption equals what the simulator delivered, to the litre (%s)%n",
                equal, fleet.meters().size(), truth);
        differ.stream().limit(5).forEach(d -> System.out.println("  differs: " + d));
        System.out.printf("meter %s delivered %s m³ (%d L) during the run. Its hourly consumption:%n",
                sample.address().digits(), java.math.BigDecimal.valueOf(sample.deliveredLitres(), 3).toPlainString(),
                sample.deliveredLitres());
        System.out.printf("  ./meterhub query consumption --meter %s --from %s --to %s --step 1h%s%n",
                sample.address().digits(), iso.format(from.atZone(cfg.zone())), iso.format(queryTo.atZone(cfg.zone())),
                store != null ? " --store " + store : "");
        if (db instanceof org.meterhub.engine.store.TimeSeriesStore ts) {
            java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
            org.meterhub.app.bill.DemoBill.print(ts, store != null ? store : cfg.store(), sample.address().digits(), to,
                    cfg.zone(), out);
        }
    }

    /**
     * The NB-IoT check, after the gas meters so the two never share the store at once: daily batched uplinks for
     * the days before the gas run's start, and their stored hourly consumption against the registers.
     */
    private void nbiot(MeterStore db, GatewayConfig cfg, Instant gasStart) throws Exception {
        System.out.printf("NB-IoT: %d meters upload %d simulated days of hourly readings, one batched uplink a day"
                + " (some a day late, some with a clock 40 days behind) ...%n", nbiotMeters, nbiotDays);
        DemoBatchDaily.Result r = DemoBatchDaily.run(db, store != null ? store : cfg.store(), gasStart, cfg.ruleOptions(),
                nbiotMeters, nbiotDays, seed, true);
        System.out.printf("  uplinks went %s%n", r.path());
        System.out.printf("hourly ground truth: %d of %d NB-IoT meter-hours' stored consumption equals what the meter's register"
                        + " counted in that hour, to the litre; %d differ, %s m³ in all (%s)%n", r.equal(), r.hours(),
                r.differ().size(), java.math.BigDecimal.valueOf(r.litres(), 3).toPlainString(), r.truth());
        r.differ().stream().limit(5).forEach(d -> System.out.println("  differs: " + d));
    }

    /** Meters continue from where a previous demo run against the same store left them. */
    private static void resumeRegisters(Cjt188Fleet fleet, MeterStore db) {
        for (SimulatedDtu d : fleet.dtus()) {
            for (SimulatedCjt188Meter m : d.meters()) {
                Optional<Reading> last = db.lastReading(m.address().digits());
                last.ifPresent(r -> m.resumeAt(r.volumeL()));
            }
        }
    }

    private void injectFaults(Cjt188Fleet fleet) {
        java.util.Random r = new java.util.Random(seed);
        for (SimulatedCjt188Meter m : fleet.meters()) {
            if (r.nextDouble() >= faults) continue;
            switch (r.nextInt(4)) {
                case 0 -> m.inject(MeterFault.SILENT, 0.3);
                case 1 -> m.inject(MeterFault.GARBAGE_BEFORE, 0.5);
                case 2 -> m.inject(MeterFault.CORRUPT_BYTE, 0.2);
                default -> m.inject(MeterFault.LOW_BATTERY, 1.0);
            }
        }
    }

    /**
     * A fresh store starts at the current minute; a store with an earlier demo's readings starts
     * where that run's final reads left off, so the meters' history continues without a gap. One
     * statement for the whole fleet ({@link org.meterhub.engine.query.LastReadings#latest()}), not a
     * query per meter: a store of 100,000 meters answers in one round trip. A private in-memory store
     * is new with this process, so it has nothing to continue.
     */
    static Instant startAfter(String storeUrl, Instant now) {
        if (org.meterhub.engine.jdbc.SqlDatabase.isPrivateMemory(storeUrl)) return now.truncatedTo(ChronoUnit.MINUTES);
        try (org.meterhub.engine.jdbc.SqlDatabase sql = org.meterhub.engine.jdbc.SqlDatabase.open(storeUrl)) {
            return new org.meterhub.engine.query.LastReadings(sql).latest()
                    .orElse(now.truncatedTo(ChronoUnit.MINUTES));
        }
    }

    /**
     * The user's file with the demo's generated DTU buses: every section the file sets (leak thresholds and
     * valve policy, EVC check, alarm deadlines and publishing, clock, store retry, journal, admin, console, mqtt)
     * is in effect. Only what the demo generates replaces the file's: its DTU buses, on a loopback port of its
     * own; the file's local serial lines and Modbus devices are not opened (the demo's meters are simulated).
     */
    static GatewayConfig demoConfig(GatewayConfig cfg, Cjt188Fleet fleet) {
        List<GatewayConfig.BusSection> buses = new ArrayList<>();
        for (SimulatedDtu d : fleet.dtus()) {
            List<GatewayConfig.MeterSection> ms = new ArrayList<>();
            for (SimulatedCjt188Meter m : d.meters()) {
                ms.add(new GatewayConfig.MeterSection(m.address().digits(), null, "gas", null, null));
            }
            buses.add(new GatewayConfig.BusSection(d.id(), BusProtocol.CJT188.name().toLowerCase(), ms));
        }
        GatewayConfig.DtuSection loopback = cfg.dtu().withListen("127.0.0.1:0");
        return new GatewayConfig(cfg.zone(), cfg.store(), loopback, cfg.poll(), buses, cfg.journal(), List.of(), List.of(),
                cfg.admin(), cfg.alarms(), cfg.clock(), cfg.storeRetry(), cfg.evc(), cfg.leak(), cfg.console(), cfg.mqtt(),
                cfg.vee());
    }

    private static MeterStore openStore(String url) {
        try {
            return StoreFactory.open(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store: " + e.getMessage());
        }
    }

    private static Duration parseDuration(String option, String text, boolean zeroAllowed) {
        if (zeroAllowed && text.trim().equals("0")) return Duration.ZERO;
        try {
            Duration d = Durations.parse(text);
            if (d.isZero() && !zeroAllowed) throw new IllegalArgumentException("expected a positive duration");
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(option + ": " + e.getMessage());
        }
    }

    private static String local(Instant t, GatewayConfig cfg) {
        return ZonedDateTime.ofInstant(t, cfg.zone()).toLocalDateTime().toString().replace('T', ' ');
    }
}
