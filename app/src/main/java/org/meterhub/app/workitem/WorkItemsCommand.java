package org.meterhub.app.workitem;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.JdbcWorkItems;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meterhub work-items}: the field work the engine asked for in a month, from every source:
 * the estimation cycle (must-read, second visit) and the prepaid ledger (replace an overdrawn meter).
 */
@Command(name = "work-items", mixinStandardHelpOptions = true,
        description = "Field work of a month: must-read and second-visit accounts, meters to replace.")
public final class WorkItemsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssXXX");

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--month", description = "Month, e.g. 2026-11 (default: this month in the zone).")
    String month;

    @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "The utility's time zone (default ${DEFAULT-VALUE}).")
    String zoneName;

    @picocli.CommandLine.Mixin
    org.meterhub.app.security.PurposeOption purpose;

    @Override
    public Integer call() {
        ZoneId zone = CliArgs.zone(zoneName);
        YearMonth cycle = CliArgs.month(month, zone);
        try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
            ts.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli work-items",
                    "*", "month=" + cycle, "cli", purpose.value()));
            List<JdbcWorkItems.Row> rows = new JdbcWorkItems(db, zone).of(cycle);
            if (rows.isEmpty()) {
                System.out.println("no work items in " + cycle);
                return 0;
            }
            System.out.printf("%-6s %-14s %-22s %-12s %-25s %s%n", "id", "kind", "meter", "account", "created", "reason");
            for (JdbcWorkItems.Row r : rows) {
                System.out.printf("%-6d %-14s %-22s %-12s %-25s %s%n", r.id(), r.kind(), r.meterId(),
                        r.accountId() == null ? "-" : r.accountId(), TIME.format(r.createdAt().atZone(zone)), r.reason());
            }
        }
        return 0;
    }
}
