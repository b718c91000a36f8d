package org.meterhub.app.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.alarm.ProcessAlarms;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.Durations;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.forward.JournalForwarding;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.JdbcLedgerStateStore;
import org.meterhub.engine.prepaid.JdbcWorkItems;
import org.meterhub.engine.prepaid.PrepaidAlarm;
import org.meterhub.engine.prepaid.PrepaidListener;
import org.meterhub.engine.prepaid.PrepaidSettings;
import org.meterhub.engine.prepaid.PurchaseStore;
import org.meterhub.engine.prepaid.ShadowLedger;
import org.meterhub.engine.prepaid.WorkItem;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockSettings;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.command.CommandService;
import org.meterhub.gateway.command.CommandSettings;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.LeakValvePolicy;
import org.meterhub.gateway.journal.JournalLevel;
import org.meterhub.gateway.journal.JournalStats;
import org.meterhub.gateway.mqtt.AlarmSink;
import org.meterhub.gateway.mqtt.DurableReadingSink;
import org.meterhub.gateway.mqtt.EngineAlarms;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.MqttGateway;
import org.meterhub.gateway.mqtt.UplinkParser;
import org.meterhub.gateway.mqtt.UplinkSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * IC-card meters over MQTT into the engine: every uplink's reading is committed to the durable
 * journal before the broker gets its PUBACK, and the forwarder takes it from there to the engine in
 * this process (or, with {@code --forward-to}, over MQTT to the engines), as for polled meters;
 * balances feed the prepaid ledger (its state kept in the store), meter, ledger and command alarms
 * enter the engine's alarm lifecycle (stored, listed by {@code query} and the API), commands are
 * sent and tracked.
 */
@Command(name = "mqtt-gateway", mixinStandardHelpOptions = true,
        description = "Subscribe to IC-card prepaid meters over MQTT; store readings, track balances, send commands.")
public final class MqttGatewayCommand implements Callable<Integer> {
    @Mixin
    BrokerOptions broker;

    @Option(names = "--client-id", defaultValue = "meterhub-gateway",
            description = "Unique and stable per gateway: the broker keeps this session's queue (default ${DEFAULT-VALUE}).")
    String clientId;

    @picocli.CommandLine.Mixin
    org.meterhub.app.alarm.DeadlinesOption deadlines;

    @Mixin
    org.meterhub.app.config.RulesConfigOption rulesConfig = new org.meterhub.app.config.RulesConfigOption();

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--commands", defaultValue = "data/commands.db", description = "Command log, SQLite (default ${DEFAULT-VALUE}).")
    Path commandsDb;

    @Option(names = "--allow-list", description = "File with the accepted meter numbers, one per line; default: any.")
    Path allowList;

    @Option(names = "--reorder-window", defaultValue = "0s",
            description = "Hold after a seq gap (default ${DEFAULT-VALUE}: none; the engine places late readings and a"
                    + " held message's PUBACK waits for its release).")
    String reorderWindow;

    @Option(names = "--journal", defaultValue = "data/mqtt-journal.db",
            description = "Durable journal (SQLite WAL); readings are committed here before the broker's PUBACK (default ${DEFAULT-VALUE}).")
    String journalPath;

    @Option(names = "--store-retry", defaultValue = "1s",
            description = "After a failed store commit, wait this long before trying again, doubling (default ${DEFAULT-VALUE}).")
    String storeRetry;

    @Option(names = "--store-retry-max", defaultValue = "30s",
            description = "Longest wait between store attempts while the store is DOWN (default ${DEFAULT-VALUE}).")
    String storeRetryMax;

    @Option(names = "--forward-to", description = "mqtt://host:port of the engines (engine-intake); default: the engine runs in this process.")
    String forwardTo;

    @Option(names = "--gateway-id", defaultValue = "mqtt-gw-1", description = "Names this gateway to the engines with --forward-to (default ${DEFAULT-VALUE}).")
    String gatewayId;

    @Option(names = "--partitions", defaultValue = "16", description = "Engine partitions, as the engines' (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--clients", defaultValue = "1",
            description = "Broker connections reading uplinks; more than 1 uses a shared subscription (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--close-valve-on-leak", description = "Send valve_close when a meter reports a leak.")
    boolean closeValveOnLeak;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
            description = "Serve GET /metrics and /health/live|ready here, e.g. 127.0.0.1:7701 (default: not served).")
    String admin;

    @Option(names = "--alarms-mqtt", paramLabel = "URI",
            description = "Broker for this gateway's process alarms (STORE_DOWN, JOURNAL_CANNOT_WRITE, JOURNAL_DISK_LOW,"
                    + " CLOCK_UNTRUSTED), topic <prefix>alarms/gateway-<gateway-id> (default: the uplink session on --broker;"
                    + " 'none' for none).")
    String alarmsMqtt;

    @Option(names = "--alarms-topic-prefix", defaultValue = "", description = "Put before alarms/ (default none).")
    String alarmsTopicPrefix;

    @Option(names = "--store-down-alarm-after", defaultValue = "60s",
            description = "Raise STORE_DOWN when the store has been DOWN this long (default ${DEFAULT-VALUE}).")
    String storeDownAlarmAfter;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "A file holding the token every --admin request"
            + " but /health/live|ready must carry (Authorization: Bearer); required when --admin is not a loopback address.")
    java.nio.file.Path adminTokenFile;

    @Option(names = "--duration", defaultValue = "0", description = "How long to run; 0 until Ctrl-C (default ${DEFAULT-VALUE}).")
    String duration;

    @Override
    public Integer call() throws Exception {
        Duration runFor = duration.equals("0") ? Duration.ZERO : parse("--duration", duration);
        org.meterhub.app.read.AdminServer.Option adminOption = org.meterhub.app.read.AdminServer.Option.of(admin, adminTokenFile);
        UplinkSettings up;
        try {
            up = UplinkSettings.defaults().withTopicPrefix(broker.topicPrefix)
                    .withReorderWindow(parse("--reorder-window", reorderWindow)).withAllowList(readAllowList());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--topic-prefix: " + e.getMessage());
        }
        // Zone, vee, leak (per medium and class), evc and deadline settings from --config's gateway YAML, as the single
        // box's; the zone also places the ledger's work items in their month.
        IngestRules.Options ruleOptions = rulesConfig.options(deadlines);
        MeterStore db = CliArgs.store(store);
        if (clients < 1 || clients > 8) {
            // Each connection has up to 1,000 uplinks waiting for the journal, whose queue holds 8,192.
            throw new ConfigException("--clients: expected 1 to 8, got " + clients);
        }
        GatewayConfig.JournalSection journalSection;
        try {
            journalSection = new GatewayConfig.JournalSection(journalPath, null, null, partitions, null, forwardTo,
                    gatewayId, null, null, null, null);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--journal/--forward-to/--gateway-id/--partitions: " + e.getMessage());
        }
        org.meterhub.engine.ingest.StoreRetry retry;
        try {
            retry = new GatewayConfig.StoreRetrySection(parse("--store-retry", storeRetry),
                    parse("--store-retry-max", storeRetryMax)).toRetry();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store-retry/--store-retry-max: " + e.getMessage());
        }
        GatewayConfig.AlarmsSection alarmSettings;
        try {
            alarmSettings = new GatewayConfig.AlarmsSection("none".equals(alarmsMqtt) ? null : alarmsMqtt, alarmsTopicPrefix,
                    clientId + "-alarms", parse("--store-down-alarm-after", storeDownAlarmAfter));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--alarms-mqtt/--alarms-topic-prefix/--store-down-alarm-after: " + e.getMessage());
        }
        // Which clock is wrong: while the gateway clock is not trusted, the meters' agreeing ts are the time.
        ClockTrust trust = ClockTrust.system(ClockSettings.defaults().withMaxClockSkew(up.maxClockSkew()));
        Clock clock = trust.clock();
        org.meterhub.engine.ingest.StoreHealth storeHealth = new org.meterhub.engine.ingest.StoreHealth(db.describe(), clock);
        org.meterhub.engine.alarm.AlarmDeadlines alarmDeadlines = ruleOptions.deadlines();
        rulesConfig.recordAtStart(store, deadlines);
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(30));
        StatusLine status = new StatusLine(System.out);
        // Corrections made by late readings are kept in the store: out-of-order uplinks are not held back here.
        try (db; JournalForwarding journal = JournalForwarding.open(journalSection, broker.tls.load(), db, () -> IngestPipeline.withRules(db,
                     IngestRules.forStore(store, org.meterhub.engine.alarm.AlarmSink.none(), java.time.Clock.systemUTC(),
                     ruleOptions)), retry, storeHealth);
             ClockGuard clockGuard = ClockGuard.open(trust, ClockGuard.heldPathFor(journal.journal().settings().path()),
                     journal.journal()::append, journal.journal()::accepting);
             SqlDatabase rules = SqlDatabase.open(store);
             CommandStore commandStore = new CommandStore(commandsDb)) {
            PurchaseStore purchases = new PurchaseStore(rules);
            JdbcAlarmRepository alarmRepository = new JdbcAlarmRepository(rules);
            AlarmService alarmService = new AlarmService(alarmRepository, alarmDeadlines,
                    org.meterhub.engine.metrics.AlarmMetrics.counting(MqttGatewayCommand::print), clock);
            org.meterhub.engine.metrics.AlarmMetrics.watch(alarmService);
            EngineAlarms alarms = new EngineAlarms(alarmService, alarmRepository,
                    workItems(rules, ruleOptions.zone()));
            ShadowLedger ledger = new ShadowLedger(PrepaidSettings.defaults(), alarms, new JdbcLedgerStateStore(rules));
            purchases.all().forEach(ledger::addPurchase);
            MqttGateway[] gw = new MqttGateway[1];
            AlarmSink alarmSink = alarms;
            CommandService commands = new CommandService(commandStore, (t, p) -> gw[0].publisher().publish(t, p),
                    alarmSink, CommandSettings.defaults().withTopicPrefix(broker.topicPrefix), clock);
            LeakValvePolicy leaks = new LeakValvePolicy(alarmSink, commands, closeValveOnLeak);
            // Uplink identities (meter + seq) go into the journal with their readings: redeliveries never double.
            journal.journal().uplinkRetention(up.maxBackfill().plusDays(1));
            DurableReadingSink uplinks = DurableReadingSink.of(clockGuard::append,
                    (mark, rs) -> clockGuard.appendUplink(mark, rs, journal.journal()::appendUplink));
            try (MqttGateway gateway = new MqttGateway(broker.settings(clientId), up, uplinks, ledger,
                    leaks, clock, clients);
                 commands;
                 org.meterhub.app.read.AdminServer ops = org.meterhub.app.read.AdminServer.forOption(adminOption,
                         new org.meterhub.app.runtime.HealthEndpoint(new org.meterhub.app.runtime.Health(
                                 forwardTo == null ? storeHealth : null, journal.journal(), clockGuard))
                                 .with(new org.meterhub.app.runtime.HealthEndpoint.Check("broker", () -> connected(gateway))));
                 // This gateway's own faults reach operators on the alarm topic, not only the log and /health;
                 // closed before the gateway, whose session they may use.
                 AlarmPublishing alarmOut = alarmsMqtt == null ? AlarmPublishing.over(gateway.publisher(), alarmSettings.topicPrefix())
                         : AlarmPublishing.start(alarmSettings);
                 ProcessAlarms processAlarms = alarmOut.processAlarms("gateway-" + gatewayId,
                         processConditions(forwardTo == null ? storeHealth : null, journal, clockGuard, alarmSettings))) {
                if (ops != null) System.out.printf("metrics and health on http://%s:%d/metrics%n",
                        ops.address().getHostString(), ops.address().getPort());
                gw[0] = gateway;
                // Refused uplinks are fetched again only once the journal writes and has room, and (engine here) the
                // store is up: an uplink whose balance or alarm edges could not be recorded waits with the broker.
                gateway.readyForRedelivery(() -> journal.journal().accepting() && (forwardTo != null || !storeHealth.down()));
                gateway.subscribe(commands.ackSubscription(), commands);
                gateway.start();
                commands.start(gateway.scheduler());
                System.out.printf("meterhub mqtt-gateway: %s as %s, topics %s/+/up and %s/+/ack, journal %s, %s%n",
                        broker.broker, clientId, broker.topicPrefix, broker.topicPrefix, journal.journal().settings().path(),
                        forwardTo != null ? "forwarding to " + forwardTo : "store " + db.describe());
                System.out.printf("process alarms on %s, topic %salarms/gateway-%s%n", alarmsMqtt == null ? broker.broker
                        : alarmOut.publishes() ? alarmsMqtt : "none (logged only)", alarmSettings.topicPrefix(), gatewayId);
                if (!gateway.awaitConnected(10, TimeUnit.SECONDS)) {
                    System.out.println("broker not reachable yet; retrying with backoff");
                }
                while (!signal.await(runFor.isZero() ? Duration.ofSeconds(5) : min(runFor, Duration.ofSeconds(5)))) {
                    status.show(line(gateway.counters(), journal, commands) + "  " + new org.meterhub.app.runtime.Health(
                            forwardTo == null ? storeHealth : null, journal.journal(), clockGuard).statusText());
                    if (!runFor.isZero()) {
                        runFor = runFor.minusSeconds(5);
                        if (runFor.isNegative() || runFor.isZero()) break;
                    }
                }
                status.end();
            }
            // The engine acknowledges a batch only after its store committed it: drained = stored.
            boolean drained = journal.forwarder().awaitDrained(Duration.ofSeconds(10));
            System.out.println(drained ? "stopped; everything accepted is stored"
                    : "stopped; " + journal.journal().stats().pending() + " readings stay journalled and are sent at the next start");
        } finally {
            signal.finished();
        }
        return 0;
    }

    /** What {@code mqtt-gateway} watches of itself: its store (when the engine runs here), journal and clock. */
    private static java.util.List<ProcessAlarms.Condition> processConditions(org.meterhub.engine.ingest.StoreHealth store,
            JournalForwarding journal, ClockGuard clock, GatewayConfig.AlarmsSection settings) {
        java.util.List<ProcessAlarms.Condition> c = new java.util.ArrayList<>();
        if (store != null) c.add(ProcessAlarms.storeDown(store, settings.storeDownAfter()));
        c.add(ProcessAlarms.journalCannotWrite(journal.journal()));
        c.add(ProcessAlarms.journalDiskLow(journal.journal()));
        c.add(ProcessAlarms.clockUntrusted(clock));
        return c;
    }

    private static boolean connected(MqttGateway gateway) {
        try {
            return gateway.awaitConnected(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private static String line(MqttCounters c, JournalForwarding journal, CommandService commands) {
        var s = commands.stats();
        JournalStats j = journal.journal().stats();
        return String.format("received %d  readings %d  journalled %d  waiting %d  acknowledged %d  journal %s  refused %d"
                        + "  duplicates %d  conflicts %d  missed %d  rejected %d (history entries %d)  alarms %d"
                        + "  commands acked %d expired %d",
                c.received.get(), c.readings.get(), c.journaled.get(), j.pending(),
                journal.forwarder().stats().readingsAcknowledged(), j.level(), c.refused.get(), c.duplicates.get(),
                c.seqConflicts.get(), c.missedUplinks.get(), c.rejectedTotal(), c.rejectedEntriesTotal(),
                c.alarmsRaised.get(), s.acked.get(), s.expired.get());
    }

    private Set<String> readAllowList() {
        if (allowList == null) return Set.of();
        try {
            Set<String> meters = Files.readAllLines(allowList).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toSet());
            for (String m : meters) {
                if (!UplinkParser.isMeterNumber(m)) throw new ConfigException(allowList + ": \"" + m + "\" is not a meter number (1-20 digits)");
            }
            return meters;
        } catch (IOException e) {
            throw new ConfigException("--allow-list: cannot read " + allowList + ": " + e.getMessage());
        }
    }

    static Duration parse(String option, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(option + ": " + e.getMessage());
        }
    }

    private static void print(Alarm a) {
        // A service's output is its log: the meter is personal data, `meterhub alarms` shows it to those allowed to see it.
        System.out.printf("%nalarm %d %s %s at %s: %s%n", a.id(), a.kind(), a.state(), a.raisedAt(), a.detail());
    }

    /**
     * Where the ledger's work items go: the store's list, each in the month of the utility's {@code zone} (the
     * {@code --config} file's, as the rules'; before, the built-in Asia/Shanghai whatever the file said).
     */
    static PrepaidListener workItems(SqlDatabase rules, java.time.ZoneId zone) {
        return new StoringListener(new JdbcWorkItems(rules, zone));
    }

    /**
     * Work items go to the store's work-item list (with the estimation cycle's; `./meterhub work-items`)
     * and, once each, to the console.
     */
    private static final class StoringListener implements PrepaidListener {
        private final JdbcWorkItems items;

        StoringListener(JdbcWorkItems items) {
            this.items = items;
        }

        @Override
        public void alarm(PrepaidAlarm a) {
            throw new IllegalStateException("prepaid alarms go to the alarm lifecycle, not here: " + a.kind());
        }

        @Override
        public void workItem(WorkItem w) {
            if (items.save(w)) {
                System.out.printf("%nwork item %s at %s: %s (meter: ./meterhub work-items)%n", w.kind(), w.time(), w.reason());
            }
        }
    }
}
