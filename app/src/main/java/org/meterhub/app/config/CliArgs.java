package org.meterhub.app.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.time.ZoneId;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.Params;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/** Command-line values several commands share, checked with one wording for the same mistake. */
public final class CliArgs {
    private CliArgs() {
    }

    /** The operating-system user: the actor of a command's audit rows (no login of our own). */
    public static String osUser() {
        return System.getProperty("user.name", "unknown");
    }

    /** {@code --month}: such as 2026-11; without one, this month in the zone. */
    public static YearMonth month(String text, ZoneId zone) {
        try {
            return text == null ? YearMonth.now(zone) : Params.parseMonth("month", text);
        } catch (BadParameterException e) {
            throw new ConfigException("--" + e.getMessage());
        }
    }

    /** {@code --zone}: a region id such as Asia/Shanghai. */
    public static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new ConfigException("--zone: expected a time zone such as Asia/Shanghai, got \"" + text + "\"");
        }
    }

    /**
     * {@code --store} of a command that reads what is there: a SQLite file that does not exist is a
     * mistake (opening it would create an empty store and answer "nothing"), named as such.
     */
    public static TimeSeriesStore existingStore(String url) {
        if (url.startsWith("jdbc:sqlite:") && !url.equals("jdbc:sqlite::memory:") && !Files.exists(Path.of(url.substring(12)))) {
            throw new ConfigException("--store: " + url.substring(12) + " does not exist; run ./meterhub demo first or name a store");
        }
        return store(url);
    }

    /** {@code --store}: opened (migrations applied), or the URL's problem as a usage error. */
    public static TimeSeriesStore store(String url) {
        try {
            return StoreFactory.open(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store: " + e.getMessage());
        }
    }
}
