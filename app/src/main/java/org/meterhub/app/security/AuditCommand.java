package org.meterhub.app.security;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.query.TimeArgs;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meterhub audit}: who looked at a household's data or acted, and when. Looking at the audit
 * is itself audited.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Who read or acted on what, when and from where: by meter or account, by user, in a time range.")
public final class AuditCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssXXX");

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;
    @Option(names = "--meter", description = "Only accesses of this meter or account (the row's subject).")
    String subject;
    @Option(names = "--user", description = "Only what this user did.")
    String user;
    @Option(names = "--from", description = "From this time (default: 30 days ago).")
    String from;
    @Option(names = "--to", description = "Until this time, exclusive (default: now).")
    String to;
    @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "The utility's time zone (default ${DEFAULT-VALUE}).")
    String zoneName;

    @Override
    public Integer call() {
        ZoneId zone = CliArgs.zone(zoneName);
        Instant end = to == null ? Instant.now() : TimeArgs.parse("--to", to, zone);
        Instant start = from == null ? end.minus(java.time.Duration.ofDays(30)) : TimeArgs.parse("--from", from, zone);
        if (!start.isBefore(end)) throw new ConfigException("--from: must be before --to");
        try (TimeSeriesStore ts = CliArgs.existingStore(store)) {
            ts.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli audit", subject == null ? "*" : subject,
                    (user == null ? "" : "user=" + user + "&") + "from=" + start + "&to=" + end, "cli"));
            List<AuditEntry> rows = ts.auditTrail(start, end).stream()
                    .filter(e -> subject == null || e.subject().equals(subject))
                    .filter(e -> user == null || e.actor().equals(user)).toList();
            System.out.printf("%-25s %-16s %-44s %-16s %-22s %-24s %s%n", "at", "who", "what", "subject", "from", "purpose",
                    "detail");
            for (AuditEntry e : rows) {
                System.out.printf("%-25s %-16s %-44s %-16s %-22s %-24s %s%n", TIME.format(e.at().atZone(zone)), e.actor(),
                        e.action(), e.subject(), e.client(), e.purpose().isEmpty() ? "-" : e.purpose(), e.detail());
            }
            System.out.println(rows.size() + " audit rows");
        }
        return 0;
    }
}
