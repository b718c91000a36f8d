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
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.Durations;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.JdbcLedgerStateStore;
import org.meterhub.engine.prepaid.PrepaidAlarm;
import org.meterhub.engine.prepaid.PrepaidListener;
import org.meterhub.engine.prepaid.PrepaidSettings;
import org.meterhub.engine.prepaid.PurchaseStore;
import org.meterhub.engine.prepaid.ShadowLedger;
import org.meterhub.engine.prepaid.WorkItem;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.command.CommandService;
import org.meterhub.gateway.command.CommandSettings;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.LeakValvePolicy;
import org.meterhub.gateway.mqtt.AlarmSink;
import org.meterhub.gateway.mqtt.EngineAlarms;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.MqttGateway;
import org.meterhub.gateway.mqtt.UplinkParser;
import org.meterhub.gateway.mqtt.UplinkSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * IC-card meters over MQTT into the engine in one process: uplinks become readings in the store,
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

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--commands", defaultValue = "data/commands.db", description = "Command log, SQLite (default ${DEFAULT-VALUE}).")
    Path commandsDb;

    @Option(names = "--allow-list", description = "File with the accepted meter numbers, one per line; default: any.")
    Path allowList;

    @Option(names = "--reorder-window", defaultValue = "2s", description = "Hold after a seq gap (default ${DEFAULT-VALUE}).")
    String reorderWindow;

    @Option(names = "--close-valve-on-leak", description = "Send valve_close when a meter reports a leak.")
    boolean closeValveOnLeak;

    @Option(names = "--duration", defaultValue = "0", description = "How long to run; 0 until Ctrl-C (default ${DEFAULT-VALUE}).")
    String duration;

    @Override
    public Integer call() throws Exception {
        Duration runFor = duration.equals("0") ? Duration.ZERO : parse("--duration", duration);
        UplinkSettings up;
        try {
            up = UplinkSettings.defaults().withTopicPrefix(broker.topicPrefix)
                    .withReorderWindow(parse("--reorder-window", reorderWindow)).withAllowList(readAllowList());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--topic-prefix: " + e.getMessage());
        }
        MeterStore db;
        try {
            db = StoreFactory.open(store);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store: " + e.getMessage());
        }
        Clock clock = Clock.systemUTC();
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(30));
        StatusLine status = new StatusLine(System.out);
        try (db; IngestPipeline ingest = IngestPipeline.withDefaults(db);
             SqlDatabase rules = SqlDatabase.open(store);
             CommandStore commandStore = new CommandStore(commandsDb)) {
            PurchaseStore purchases = new PurchaseStore(rules);
            JdbcAlarmRepository alarmRepository = new JdbcAlarmRepository(rules);
            AlarmService alarmService = new AlarmService(alarmRepository, AlarmDeadlines.defaults(),
                    MqttGatewayCommand::print, clock);
            EngineAlarms alarms = new EngineAlarms(alarmService, alarmRepository, new PrintingListener());
            ShadowLedger ledger = new ShadowLedger(PrepaidSettings.defaults(), alarms, new JdbcLedgerStateStore(rules));
            purchases.all().forEach(ledger::addPurchase);
            MqttGateway[] gw = new MqttGateway[1];
            AlarmSink alarmSink = alarms;
            CommandService commands = new CommandService(commandStore, (t, p) -> gw[0].publisher().publish(t, p),
                    alarmSink, CommandSettings.defaults().withTopicPrefix(broker.topicPrefix), clock);
            LeakValvePolicy leaks = new LeakValvePolicy(alarmSink, commands, closeValveOnLeak);
            try (MqttGateway gateway = new MqttGateway(broker.settings(clientId), up, ingest, ledger, leaks, clock);
                 commands) {
                gw[0] = gateway;
                gateway.subscribe(commands.ackSubscription(), commands);
                gateway.start();
                commands.start(gateway.scheduler());
                System.out.printf("meterhub mqtt-gateway: %s as %s, topics %s/+/up and %s/+/ack, store %s%n",
                        broker.broker, clientId, broker.topicPrefix, broker.topicPrefix, db.describe());
                if (!gateway.awaitConnected(10, TimeUnit.SECONDS)) {
                    System.out.println("broker not reachable yet; retrying with backoff");
                }
                while (!signal.await(runFor.isZero() ? Duration.ofSeconds(5) : min(runFor, Duration.ofSeconds(5)))) {
                    status.show(line(gateway.counters(), ingest, commands));
                    if (!runFor.isZero()) {
                        runFor = runFor.minusSeconds(5);
                        if (runFor.isNegative() || runFor.isZero()) break;
                    }
                }
                status.end();
            }
            ingest.flush();
            System.out.println("stopped; everything accepted is stored");
        } finally {
            signal.finished();
        }
        return 0;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private static String line(MqttCounters c, IngestPipeline ingest, CommandService commands) {
        var s = commands.stats();
        return String.format("received %d  readings %d  stored %d  duplicates %d  missed %d  rejected %d  alarms %d  commands acked %d expired %d",
                c.received.get(), c.readings.get(), ingest.stats().stored(), c.duplicates.get(), c.missedUplinks.get(),
                c.rejectedTotal(), c.alarmsRaised.get(), s.acked.get(), s.expired.get());
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
        System.out.printf("%nalarm %d %s %s meter %s at %s: %s%n", a.id(), a.kind(), a.state(), a.subject(), a.raisedAt(), a.detail());
    }

    /** Work items are printed: the engine has no work-item lifecycle to hand them to yet. */
    private static final class PrintingListener implements PrepaidListener {
        @Override
        public void alarm(PrepaidAlarm a) {
            throw new IllegalStateException("prepaid alarms go to the alarm lifecycle, not here: " + a.kind());
        }

        @Override
        public void workItem(WorkItem w) {
            System.out.printf("%nwork item %s meter %s at %s: %s%n", w.kind(), w.meterId(), w.time(), w.reason());
        }
    }
}
