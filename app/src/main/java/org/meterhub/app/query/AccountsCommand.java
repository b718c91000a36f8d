package org.meterhub.app.query;

import java.time.YearMonth;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meterhub query accounts}: the accounts to read in a month (domain rule). */
@Command(name = "accounts", mixinStandardHelpOptions = true,
        description = "Accounts to read in a month: ignited − vacant − removed − suspended − sealed − ignited this month.")
public final class AccountsCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--month", description = "The month, e.g. 2026-11 (default: this month in --zone).")
    String month;

    @Option(names = "--district", description = "Only this district's accounts.")
    String district;

    @Override
    public Integer call() {
        YearMonth m = CliArgs.month(month, options.zone());
        return options.run("accounts", district == null ? "*" : "district:" + district,
                "month=" + m + (district == null ? "" : "&district=" + district), q -> q.accountsToRead(m, district));
    }
}
