package org.meterhub.app.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalLevel;
import org.meterhub.gateway.journal.JournalStats;

/**
 * What a gateway process says about its store and journal, the same in the status line and in the
 * admin endpoint's {@code GET /health}: {@code store: DOWN since …}, {@code journal: CANNOT WRITE since …}.
 *
 * @param store null when the process writes no store (a forwarding gateway)
 */
public record Health(StoreHealth store, Journal journal) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Nothing is DOWN, the journal writes and is not full. */
    public boolean healthy() {
        JournalStats j = journal.stats();
        return (store == null || !store.down()) && j.writable() && j.level() != JournalLevel.FULL;
    }

    /** E.g. {@code store: DOWN since 2026-11-24T22:00:00Z  journal: OK}. */
    public String statusText() {
        StringBuilder b = new StringBuilder();
        if (store != null) {
            b.append(store.status());
            if (store.rejected() > 0) b.append(" (").append(store.rejected()).append(" readings set aside)");
            b.append("  ");
        }
        JournalStats j = journal.stats();
        b.append("journal: ");
        if (!j.writable()) {
            b.append("CANNOT WRITE since ").append(j.failingSince()).append(" (").append(mib(j.freeBytes())).append(" free)");
        } else {
            b.append(j.level());
            if (j.diskLow()) b.append(", DISK LOW (").append(mib(j.freeBytes())).append(" free)");
        }
        return b.toString();
    }

    /** The body of {@code GET /health}. */
    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", healthy() ? "UP" : "DEGRADED");
        if (store != null) {
            ObjectNode s = o.putObject("store");
            s.put("state", store.down() ? "DOWN" : "UP");
            if (store.downSince() != null) s.put("since", store.downSince().toString());
            if (store.down() && store.lastError() != null) s.put("error", store.lastError());
            s.put("outages", store.alarms());
            s.put("failed_attempts", store.failures());
            s.put("rejected", store.rejected());
        }
        JournalStats j = journal.stats();
        ObjectNode js = o.putObject("journal");
        js.put("path", journal.settings().path().toString());
        js.put("state", j.writable() ? "WRITING" : "CANNOT_WRITE");
        if (!j.writable()) {
            js.put("since", String.valueOf(j.failingSince()));
            js.put("error", String.valueOf(j.lastWriteError()));
        }
        js.put("level", j.level().name());
        js.put("pending", j.pending());
        js.put("free_bytes", j.freeBytes());
        js.put("disk_low", j.diskLow());
        js.put("dead_lettered", j.deadLettered());
        return o;
    }

    private static String mib(long bytes) {
        if (bytes < 0) return "unknown";
        return bytes >= (10L << 20) ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
