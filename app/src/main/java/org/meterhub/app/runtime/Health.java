package org.meterhub.app.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalLevel;
import org.meterhub.gateway.journal.JournalStats;

/**
 * What a gateway process says about its store, journal and clock, the same in the status line and in the
 * admin endpoint's {@code GET /health}: {@code store: DOWN since …}, {@code journal: CANNOT WRITE since …},
 * {@code clock: UNTRUSTED (behind meters by 26y)}.
 *
 * @param store null when the process writes no store (a forwarding gateway)
 * @param clock null when the process believes its clock (the demo's simulated time)
 */
public record Health(StoreHealth store, Journal journal, ClockGuard clock) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Health(StoreHealth store, Journal journal) {
        this(store, journal, null);
    }

    /** Nothing is DOWN, the journal writes and is not full, the clock is trusted and no reading waits for a time. */
    public boolean healthy() {
        JournalStats j = journal.stats();
        return (store == null || !store.down()) && j.writable() && j.level() != JournalLevel.FULL && clockOk();
    }

    /**
     * What {@code /health/ready} checks of this: the store reachable (no outage in progress: the last write went
     * through or its retry has not failed yet) and the journal writable and not full. The clock is left out: a
     * gateway with an untrusted clock still journals (it holds the readings), so it is degraded, not unready.
     */
    public java.util.List<HealthEndpoint.Check> readiness() {
        java.util.List<HealthEndpoint.Check> checks = new java.util.ArrayList<>();
        if (store != null) checks.add(new HealthEndpoint.Check("store", () -> !store.down()));
        checks.add(new HealthEndpoint.Check("journal", () -> {
            JournalStats j = journal.stats();
            return j.writable() && j.level() != JournalLevel.FULL;
        }));
        return checks;
    }

    private boolean clockOk() {
        return clock == null || (clock.trust().status().trusted() && clock.held() == 0);
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
        if (clock != null) b.append("  ").append(clock.statusText());
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
        if (clock != null) clockJson(o.putObject("clock"));
        return o;
    }

    private void clockJson(ObjectNode c) {
        ClockTrust.Status s = clock.trust().status();
        c.put("state", clockOk() ? "TRUSTED" : "UNTRUSTED");
        c.put("trusted", s.trusted());
        c.put("reason", s.reason());
        c.put("text", s.text());
        c.put("sync", s.sync().name());
        c.put("has_time", s.hasTime());
        if (s.gatewayMinusMeters() != null) c.put("gateway_minus_meters_s", s.gatewayMinusMeters().toSeconds());
        c.put("agreeing_meters", s.agreeingMeters());
        c.put("held", clock.held());
        c.put("steps", s.steps());
        if (clock.trust().floor() != null) c.put("newest_reading", clock.trust().floor().toString());
    }

    private static String mib(long bytes) {
        if (bytes < 0) return "unknown";
        return bytes >= (10L << 20) ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
