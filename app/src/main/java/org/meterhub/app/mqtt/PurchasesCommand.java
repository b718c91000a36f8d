package org.meterhub.app.mqtt;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.prepaid.PurchaseCsv;
import org.meterhub.engine.prepaid.PurchaseStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prepaid purchases (service-hall exports) into the store the prepaid ledger reads. */
@Command(name = "purchases", mixinStandardHelpOptions = true, description = "Prepaid credit purchases.",
        subcommands = {PurchasesCommand.ImportCommand.class})
public final class PurchasesCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a CSV: purchase_id,meter,time,amount_m3 (or amount_cny). Ids already imported are skipped.")
    static final class ImportCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The CSV file.")
        Path file;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "Zone of times without offset (default ${DEFAULT-VALUE}).")
        String zone;

        @Override
        public Integer call() {
            PurchaseCsv.Result r;
            try (Reader in = Files.newBufferedReader(file)) {
                r = PurchaseCsv.read(in, ZoneId.of(zone));
            } catch (IOException e) {
                throw new ConfigException(file + ": cannot read: " + e.getMessage());
            }
            r.errors().forEach(e -> System.err.println(file + ":" + e.substring("line ".length())));
            PurchaseStore s;
            try {
                s = new PurchaseStore(store);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--store: " + e.getMessage());
            }
            int added;
            try (s) {
                added = s.addAll(r.purchases());
            }
            System.out.printf("%s: %d purchases read, %d new, %d already imported, %d lines rejected%n", file,
                    r.purchases().size(), added, r.purchases().size() - added, r.errors().size());
            return r.errors().isEmpty() ? 0 : 2;
        }
    }
}
