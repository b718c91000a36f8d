package org.meterhub.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.meterhub.app.alarm.AlarmsCommand;
import org.meterhub.app.balance.BalanceCommand;
import org.meterhub.app.bill.BillCommand;
import org.meterhub.app.bill.TariffCommand;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.decode.DecodeCommand;
import org.meterhub.app.demo.DemoCommand;
import org.meterhub.app.engine.EngineCommand;
import org.meterhub.app.estimate.EstimateCommand;
import org.meterhub.app.forward.EngineIntakeCommand;
import org.meterhub.app.gateway.GatewayCommand;
import org.meterhub.app.mqtt.CommandsCommand;
import org.meterhub.app.mqtt.MqttGatewayCommand;
import org.meterhub.app.mqtt.MqttSimCommand;
import org.meterhub.app.mqtt.PurchasesCommand;
import org.meterhub.app.query.QueryCommand;
import org.meterhub.app.read.ReadCommand;
import org.meterhub.app.sim.SimCommand;
import org.meterhub.app.workitem.WorkItemsCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The meterhub command line. User mistakes exit with 2 and one line; faults exit with 1. */
@Command(name = "meterhub", mixinStandardHelpOptions = true, version = "meterhub 0.1.0",
        description = "Smart-meter data acquisition gateway and metering engine.",
        subcommands = {DemoCommand.class, GatewayCommand.class, EngineCommand.class, SimCommand.class,
                QueryCommand.class, DecodeCommand.class, ReadCommand.class,
                MqttGatewayCommand.class, MqttSimCommand.class, CommandsCommand.class, PurchasesCommand.class,
                EngineIntakeCommand.class, EstimateCommand.class, org.meterhub.app.query.CoverageCommand.class,
                org.meterhub.app.visit.VisitsCommand.class, BalanceCommand.class, AlarmsCommand.class, WorkItemsCommand.class,
                org.meterhub.app.security.UsersCommand.class, org.meterhub.app.security.AuditCommand.class,
                org.meterhub.app.leak.LeakCommand.class, TariffCommand.class, BillCommand.class,
                org.meterhub.app.bill.StatementCommand.class,
                org.meterhub.app.accuracy.AccuracyCommand.class, org.meterhub.app.accuracy.DisputeCommand.class,
                org.meterhub.app.accuracy.MetersCommand.class,
                org.meterhub.app.importing.ImportCommand.class,
                org.meterhub.app.dataprotection.ExportCommand.class, org.meterhub.app.dataprotection.EraseCommand.class,
                org.meterhub.app.dataprotection.BackupCommand.class, org.meterhub.app.dataprotection.RestoreCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Log debug detail to stderr.")
    void setVerbose(boolean on) {
        if (on) {
            ((Logger) LoggerFactory.getLogger("org.meterhub")).setLevel(Level.DEBUG);
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        }
    }

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|logfmt|json",
            description = "Log lines on stderr as text (default), logfmt or json, one event a line; also set by the"
                    + " environment variable METERHUB_LOG_FORMAT.")
    void setLogFormat(String format) {
        try {
            org.meterhub.app.logging.QuietLogging.use(org.meterhub.app.logging.LogFormat.parse(format));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--log-format: " + e.getMessage());
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigException) {
                cmd.getErr().println("meterhub: " + ex.getMessage());
                return EXIT_USAGE;
            }
            cmd.getErr().println("meterhub: " + ex.getMessage());
            if (verbose) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
