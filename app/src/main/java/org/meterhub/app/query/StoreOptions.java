package org.meterhub.app.query;

import java.time.Clock;
import org.meterhub.engine.attempt.JdbcReadAttempts;
import org.meterhub.engine.coverage.CoverageQuery;
import org.meterhub.engine.coverage.CoverageSettings;
import org.meterhub.engine.estimation.JdbcEstimationRecords;

import java.time.Instant;
import java.time.ZoneId;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.NotFoundException;
import org.meterhub.engine.api.Params;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.JdbcValidationRepository;
import picocli.CommandLine.Option;

/** Options every {@code query} subcommand shares, and running one report with an audit row. */
final class StoreOptions {

    enum Format { table, csv, json }

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "The utility's time zone (default ${DEFAULT-VALUE}).")
    String zoneName;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default ${DEFAULT-VALUE}).")
    Format format;

    @picocli.CommandLine.Mixin
    org.meterhub.app.security.PurposeOption purpose = new org.meterhub.app.security.PurposeOption();

    /** The coverage targets (set by {@code coverage --settings}); the regulations' numbers by default. */
    CoverageSettings coverageSettings = CoverageSettings.defaults();
    Clock clock = Clock.systemUTC();

    ZoneId zone() {
        return CliArgs.zone(zoneName);
    }

    Instant time(String option, String text) {
        return TimeArgs.parse(option, text, zone());
    }

    /** --from/--to as a checked range. */
    Instant[] range(String from, String to) {
        return checkRange(time("--from", from), time("--to", to));
    }

    static Instant[] checkRange(Instant from, Instant to) {
        try {
            return Params.checkRange(from, to, Reports.MAX_RANGE);
        } catch (BadParameterException e) {
            throw new ConfigException("--" + e.parameter() + ": " + e.getMessage().substring(e.parameter().length() + 2));
        }
    }

    @FunctionalInterface
    interface Query {
        Report run(Reports reports);
    }

    /** Opens the store, writes the audit row (the OS user as actor), runs the query and prints it. */
    int run(String action, String subject, String detail, Query query) {
        ZoneId zone = zone();
        try (TimeSeriesStore db = CliArgs.existingStore(store);
             SqlDatabase rules = SqlDatabase.isPrivateMemory(store) ? null : SqlDatabase.open(store)) {
            db.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli query " + action,
                    subject, detail, "cli", purpose.value()));
            // the engine's validation flags (with reasons) live next to the readings
            Report report = query.run(new Reports(db, zone, rules == null ? null : new JdbcValidationRepository(rules),
                    rules == null ? null : new CoverageQuery(db, new JdbcEstimationRecords(rules),
                            new JdbcReadAttempts(rules), coverageSettings, clock)));
            ReportPrinter.print(System.out, report, format);
        } catch (BadParameterException e) {
            throw new ConfigException("--" + e.parameter() + ": " + e.getMessage().substring(e.parameter().length() + 2));
        } catch (NotFoundException e) {
            throw new ConfigException(e.getMessage());
        }
        return 0;
    }
}
