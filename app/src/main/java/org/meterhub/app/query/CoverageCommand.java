package org.meterhub.app.query;

import java.time.Instant;
import java.time.YearMonth;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.CoverageSection;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.Params;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meterhub coverage --cycle C}: the reading-coverage KPI of a billing cycle, the same report as
 * {@code GET /api/v1/coverage} (one query, {@code engine.coverage.CoverageQuery}).
 */
@Command(name = "coverage", mixinStandardHelpOptions = true,
        description = "Reading coverage of a billing cycle: accounts to read (seed formula), read, estimated, missing; "
                + "monthly vs 98 %, quarterly vs 100 %, estimates vs 2 % of households; second visits and "
                + "commercial accounts not read this week.")
public final class CoverageCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--cycle", required = true, description = "Billing cycle YYYY-MM (window: the 26th of the month before to the 14th).")
    String cycle;

    @Option(names = "--at", description = "End of \"this week\" for commercial accounts (default: now, or the window's end if earlier).")
    String at;

    @Option(names = "--settings", description = "A YAML file with the targets (monthly-target-percent, quarterly-target-percent, "
            + "max-estimated-percent, required-failed-reads, commercial-read-every); defaults: the regulations' numbers.")
    String settings;

    @Override
    public Integer call() {
        YearMonth c;
        try {
            c = Params.parseMonth("cycle", cycle);
        } catch (BadParameterException e) {
            throw new ConfigException("--" + e.getMessage());
        }
        Instant when = at == null ? null : options.time("--at", at);
        options.coverageSettings = CoverageSection.load(settings).coverage();
        return options.run("coverage", "cycle:" + c, "cycle=" + c + (at == null ? "" : "&at=" + at),
                q -> q.coverage(c, when));
    }

}
