package org.meterhub.app.mqtt;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.gateway.command.CommandRecord;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.CommandType;
import org.meterhub.gateway.command.MeterCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command log of IC-card meters: list it, or add a command for the running mqtt-gateway to send. */
@Command(name = "commands", mixinStandardHelpOptions = true, description = "List or add commands to IC-card meters.",
        subcommands = {CommandsCommand.ListCommand.class, CommandsCommand.SendCommand.class})
public final class CommandsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the command log, newest first.")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--commands", defaultValue = "data/commands.db", description = "Command log (default ${DEFAULT-VALUE}).")
        Path db;

        @Option(names = "--meter", description = "Only this meter.")
        String meter;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            try (CommandStore store = new CommandStore(db)) {
                List<CommandRecord> all = store.list(meter, limit);
                System.out.printf("%-24s %-20s %-12s %-10s %-9s %8s  %-20s %s%n", "id", "meter", "cmd", "amount", "status",
                        "attempts", "created", "error");
                for (CommandRecord r : all) {
                    MeterCommand c = r.command();
                    System.out.printf("%-24s %-20s %-12s %-10s %-9s %8d  %-20s %s%n", c.id(), c.meterId(), c.type().wire(),
                            c.amount() == null ? "" : c.amount().toPlainString() + " " + c.unit(), r.status(), r.attempts(),
                            c.createdAt(), r.error() == null ? "" : r.error());
                }
                System.out.println(all.size() + " commands");
            }
            return 0;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Store a command; a running mqtt-gateway on the same command log sends it within a second.")
    static final class SendCommand implements Callable<Integer> {
        @Option(names = "--commands", defaultValue = "data/commands.db", description = "Command log (default ${DEFAULT-VALUE}).")
        Path db;

        @Option(names = "--id", required = true, description = "Command id; sending the same id again has no second effect.")
        String id;

        @Option(names = "--meter", required = true, description = "Meter number.")
        String meter;

        @Option(names = "--cmd", required = true, description = "valve_close, valve_open or credit.")
        String cmd;

        @Option(names = "--amount-m3", description = "Credit in m³ (credit only).")
        BigDecimal amountM3;

        @Option(names = "--amount-cny", description = "Credit in yuan for money meters (credit only).")
        BigDecimal amountCny;

        @Option(names = "--timeout", defaultValue = "24h", description = "Resend until acked or this long (default ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--reason", required = true, description = "Why (a valve closes a household's gas): kept in the audit"
                + " row with who asked.")
        String reason;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db",
                description = "Store that knows the meters and keeps the audit (default ${DEFAULT-VALUE}).")
        String store;

        @Override
        public Integer call() {
            CommandType type = CommandType.fromWire(cmd)
                    .orElseThrow(() -> new ConfigException("--cmd: expected valve_close, valve_open or credit, got \"" + cmd + "\""));
            Duration t = MqttGatewayCommand.parse("--timeout", timeout);
            BigDecimal amount = amountM3 != null ? amountM3 : amountCny;
            BalanceUnit unit = amountM3 != null ? BalanceUnit.M3 : amountCny != null ? BalanceUnit.CNY : null;
            Instant now = Clock.systemUTC().instant();
            MeterCommand c;
            try {
                c = new MeterCommand(id, meter, type, amount, unit, now, now.plus(t));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("commands send: " + e.getMessage());
            }
            if (reason.isBlank() || reason.length() > 500) {
                throw new ConfigException("--reason: expected 1 to 500 characters saying why");
            }
            // An unknown meter is refused before anything is stored: a typo must not queue a valve command for no one.
            try (org.meterhub.engine.store.TimeSeriesStore known = org.meterhub.app.config.CliArgs.existingStore(this.store)) {
                // Known: registered, or heard from (IC-card meters arrive over MQTT without a registration).
                if (known.meter(meter).isEmpty() && known.lastReading(meter).isEmpty()) {
                    throw new ConfigException("--meter: meter " + meter + " is not in the store " + this.store
                            + " (neither registered nor heard from); commands go only to known meters");
                }
                org.meterhub.app.security.CliAudit.record(known, "commands send", meter, "id=" + id + " cmd=" + type.wire()
                        + (amount == null ? "" : " amount=" + amount.toPlainString() + " " + unit) + " reason=" + reason.strip());
            }
            try (CommandStore store = new CommandStore(db)) {
                CommandStore.Stored s = store.insert(c);
                System.out.println((s.created() ? "stored " : "already stored ") + c.id() + ": " + c.toJson()
                        + " status " + s.record().status());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("commands send: " + e.getMessage());
            }
            return 0;
        }
    }
}
