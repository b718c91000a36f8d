package org.meterhub.engine.gateways;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.meterhub.engine.intake.Topics;

/**
 * A gateway's status on the wire ({@code {prefix}/v1/status/{gateway}}), one small JSON object:
 * <pre>{"v":1,"gateway":"gw-1","at":"2026-12-07T02:00:00Z","dtus_connected":9,"dtus_configured":10,
 * "meters_online":182,"meters_configured":200,"polls_ok":48211,"polls_failed":37,"journal_backlog":1234,
 * "journal_level":"OK","buses":[{"kind":"dtu-cjt188","name":"DTU-0001","connected":true,"polls_ok":120,
 * "polls_failed":2,"window_s":3600,"last_ok":"2026-12-07T01:59:40Z","last_error_at":"2026-12-07T01:31:02Z",
 * "last_error":"timeout"}]}</pre>
 * {@code buses} is optional (a gateway from before per-bus health sends none).
 * A message that is not exactly this is refused with the reason (the engine counts it and moves on).
 */
public final class GatewayStatusCodec {
    public static final int VERSION = 1;
    /** Room for {@link GatewayStatus#MAX_BUSES} buses of about 250 bytes each. */
    private static final int MAX_BYTES = 600_000;
    private final ObjectMapper json = new ObjectMapper();

    public byte[] encode(GatewayStatus s) {
        ObjectNode o = json.createObjectNode();
        o.put("v", VERSION).put("gateway", s.gatewayId()).put("at", s.reportedAt().toString())
                .put("dtus_connected", s.dtusConnected()).put("dtus_configured", s.dtusConfigured())
                .put("meters_online", s.metersOnline()).put("meters_configured", s.metersConfigured())
                .put("polls_ok", s.pollsOk()).put("polls_failed", s.pollsFailed())
                .put("journal_backlog", s.journalBacklog()).put("journal_level", s.journalLevel());
        com.fasterxml.jackson.databind.node.ArrayNode buses = o.putArray("buses");
        for (BusStatus b : s.buses()) {
            ObjectNode n = buses.addObject().put("kind", b.kind()).put("name", b.name()).put("connected", b.connected())
                    .put("polls_ok", b.pollsOk()).put("polls_failed", b.pollsFailed()).put("window_s", b.window().toSeconds());
            if (b.lastOk() != null) n.put("last_ok", b.lastOk().toString());
            if (b.lastErrorAt() != null) n.put("last_error_at", b.lastErrorAt().toString());
            if (b.lastError() != null) n.put("last_error", b.lastError());
        }
        try {
            return json.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a gateway status", e);
        }
    }

    /** @throws IllegalArgumentException with the reason, for anything but a version-1 status */
    public GatewayStatus decode(byte[] payload) {
        if (payload.length > MAX_BYTES) throw new IllegalArgumentException("a status of " + payload.length + " bytes");
        JsonNode o;
        try {
            o = json.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object");
        if (!o.path("v").isInt() || o.get("v").intValue() != VERSION) throw new IllegalArgumentException("v: expected " + VERSION);
        String level = text(o, "journal_level");
        if (!level.matches("OK|NEARLY_FULL|FULL")) throw new IllegalArgumentException("journal_level: " + level);
        Instant at;
        try {
            at = Instant.parse(text(o, "at"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("at: expected an ISO instant");
        }
        return new GatewayStatus(Topics.checkGatewayId(text(o, "gateway")), at, (int) count(o, "dtus_connected"),
                (int) count(o, "dtus_configured"), (int) count(o, "meters_online"), (int) count(o, "meters_configured"),
                count(o, "polls_ok"), count(o, "polls_failed"), count(o, "journal_backlog"), level, buses(o.get("buses")));
    }

    private static java.util.List<BusStatus> buses(JsonNode a) {
        if (a == null) return java.util.List.of();
        if (!a.isArray()) throw new IllegalArgumentException("buses: expected an array");
        if (a.size() > GatewayStatus.MAX_BUSES) throw new IllegalArgumentException("buses: more than " + GatewayStatus.MAX_BUSES);
        java.util.List<BusStatus> out = new java.util.ArrayList<>();
        for (JsonNode b : a) {
            if (!b.isObject()) throw new IllegalArgumentException("buses: expected objects");
            JsonNode connected = b.get("connected");
            if (connected == null || !connected.isBoolean()) throw new IllegalArgumentException("buses.connected: expected true or false");
            long window = count(b, "window_s");
            if (window < 1) throw new IllegalArgumentException("buses.window_s: expected a positive count");
            try {
                out.add(new BusStatus(text(b, "kind"), text(b, "name"), connected.booleanValue(), count(b, "polls_ok"),
                        count(b, "polls_failed"), java.time.Duration.ofSeconds(window), instant(b, "last_ok"),
                        instant(b, "last_error_at"), b.hasNonNull("last_error") ? text(b, "last_error") : null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith("bus") ? e.getMessage() : "buses." + e.getMessage());
            }
        }
        return out;
    }

    private static Instant instant(JsonNode o, String field) {
        if (!o.hasNonNull(field)) return null;
        try {
            return Instant.parse(text(o, field));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": expected an ISO instant");
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(field + ": expected a string");
        return v.textValue();
    }

    private static long count(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0
                || (!field.startsWith("polls") && !field.equals("journal_backlog") && !field.equals("window_s")
                && v.longValue() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(field + ": expected a count");
        }
        return v.longValue();
    }
}
