package org.meterhub.app.bill;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.billing.Billing;
import org.meterhub.engine.billing.JdbcTariffs;
import org.meterhub.engine.billing.Tariff;
import org.meterhub.engine.billing.TariffBook;
import org.meterhub.engine.billing.TariffException;
import org.meterhub.engine.billing.TariffVersion;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meterhub tariff load|variant}: tariffs into the store, tier variants of accounts. */
@Command(name = "tariff", mixinStandardHelpOptions = true, description = "Load tariffs (YAML), set an account's tier variants.",
        subcommands = {TariffCommand.Load.class, TariffCommand.SetVariant.class})
public final class TariffCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static <T> T withBilling(String url, java.util.function.BiFunction<TimeSeriesStore, Billing, T> work) {
        if (SqlDatabase.isPrivateMemory(url)) throw new ConfigException("--store: name a store file or database, not " + url);
        TimeSeriesStore store = CliArgs.store(url);
        try (store; Billing billing = Billing.open(store, url)) {
            return work.apply(store, billing);
        } catch (TariffException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Check a tariff file and store it: new tariffs and versions are added, stored versions never change.")
    static final class Load implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Tariff YAML file (docs/billing.md).")
        Path file;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--check", description = "Only check the file; store nothing.")
        boolean check;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            TariffBook book = TariffFile.load(file);
            var out = spec.commandLine().getOut();
            for (Tariff t : book.tariffs()) {
                out.printf("%s (%s, tariff year from %s): %d version(s) from %s%n", t.id(),
                        t.classes().stream().map(c -> c.name().toLowerCase()).sorted().toList(), t.yearStart().toString().substring(2),
                        t.versions().size(), t.versions().stream().map(TariffVersion::validFrom).toList());
            }
            if (check) {
                out.println(file + ": valid; nothing stored (--check)");
                out.flush();
                return 0;
            }
            JdbcTariffs.LoadResult r = withBilling(store, (s, billing) -> {
                try {
                    return billing.tariffs().load(book, clock.instant());
                } catch (TariffException e) {
                    throw new ConfigException(file + ": " + e.getMessage());
                }
            });
            out.printf("%s: %d tariff(s) added, %d version(s) added, %d already stored%n", file, r.tariffsAdded(),
                    r.versionsAdded(), r.versionsUnchanged());
            out.flush();
            return 0;
        }
    }

    @Command(name = "variant", mixinStandardHelpOptions = true,
            description = "Set (or show) an account's tier-threshold variants, e.g. boiler or large-household.")
    static final class SetVariant implements Callable<Integer> {
        @Option(names = "--account", required = true, description = "Account id.")
        String account;

        @Option(names = "--set", description = "Variant names, comma-separated, applied in order; \"\" for none. Without it: show.")
        String set;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            withBilling(store, (s, billing) -> {
                Account a = s.accounts(null).stream().filter(x -> x.accountId().equals(account)).findFirst()
                        .orElseThrow(() -> new ConfigException("--account: no account " + account + " in the store"));
                if (set != null) {
                    List<String> names = set.isBlank() ? List.of() : Arrays.stream(set.split(",")).map(String::strip).toList();
                    Tariff t = billing.tariffs().book().forClass(a.customerClass()).orElseThrow(() -> new ConfigException(
                            "no tariff for " + a.customerClass().name().toLowerCase() + " accounts; load one first"));
                    TariffVersion newest = t.versions().get(t.versions().size() - 1);
                    try {
                        newest.bounds(names);
                    } catch (TariffException e) {
                        throw new ConfigException("--set: " + e.getMessage());
                    }
                    billing.tariffs().setVariants(account, names, clock.instant());
                }
                List<String> now = billing.tariffs().variants(account);
                out.printf("account %s: variants %s%n", account, now.isEmpty() ? "(none)" : String.join(",", now));
                return null;
            });
            out.flush();
            return 0;
        }
    }
}
