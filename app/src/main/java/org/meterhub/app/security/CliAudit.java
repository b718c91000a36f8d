package org.meterhub.app.security;

import java.time.Instant;
import org.meterhub.app.config.CliArgs;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The audit row of an action taken from the command line (estimate, balance, bill and statement runs, meter
 * commands): written before the work, so an attempt that fails half-way is on record too. The actor is the
 * operating-system user (the CLI has no login of its own); {@code meterhub audit} shows the rows.
 */
public final class CliAudit {
    private CliAudit() {
    }

    /**
     * @param action  the command, e.g. {@code bill run}; stored as {@code cli bill run}
     * @param subject whose data: a meter id, {@code district:<id>}, {@code cycle:<YYYY-MM>}
     * @param detail  the options that shape what was done (dry run, reason)
     */
    public static void record(TimeSeriesStore store, String action, String subject, String detail) {
        store.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli " + action, subject, detail, "cli"));
    }
}
