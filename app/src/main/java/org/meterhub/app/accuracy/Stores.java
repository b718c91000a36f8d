package org.meterhub.app.accuracy;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.accuracy.AccuracyException;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.lifecycle.LifecycleException;
import org.meterhub.engine.store.TimeSeriesStore;

/** Opening the store for the accuracy and lifecycle commands; their mistakes as usage errors. */
final class Stores {
    private Stores() {
    }

    interface Work<T> {
        T run(SqlDatabase db);
    }

    /** Opens the store (migrations applied) and a connection of the capability's own. */
    static <T> T with(String url, Work<T> work) {
        if (SqlDatabase.isPrivateMemory(url)) throw new ConfigException("--store: name a store file or database, not " + url);
        TimeSeriesStore store = CliArgs.existingStore(url);
        try (store; SqlDatabase db = SqlDatabase.open(url)) {
            return work.run(db);
        } catch (AccuracyException | LifecycleException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    static LocalDate day(String option, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigException(option + ": expected YYYY-MM-DD, got \"" + value + "\"");
        }
    }
}
