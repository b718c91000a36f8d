package org.meterhub.app.engine;

import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The engine on its own. Today it prepares a store (migrations) and reports on it; receiving
 * readings from remote gateways arrives with store-and-forward (issue #5).
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Prepare a store (apply schema migrations) and report what it holds.")
public final class EngineCommand implements Callable<Integer> {

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Override
    public Integer call() {
        MeterStore db;
        try {
            db = StoreFactory.open(store);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store: " + e.getMessage());
        }
        try (db) {
            System.out.printf("store %s: schema up to date, %d meters, %d readings%n", db.describe(),
                    db.meters().size(), db.readingCount());
        }
        return 0;
    }
}
