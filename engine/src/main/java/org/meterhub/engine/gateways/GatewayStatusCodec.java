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
 * "journal_level":"OK"}</pre>
 * A message that is not exactly this is refused with the reason (the engine counts it and moves on).
 */
public final class GatewayStatusCodec {
    public static final int VERSION = 1;
    private static final int MAX_BYTES = 4096;
    private final ObjectMapper json = new ObjectMapper();

    public byte[] encode(GatewayStatus s) {
        ObjectNode o = json.createObjectNode();
        o.put("v", VERSION).put("gateway", s.gatewayId()).put("at", s.reportedAt().toString())
                .put("dtus_connected", s.dtusConnected()).put("dtus_configured", s.dtusConfigured())
                .put("meters_online", s.metersOnline()).put("meters_configured", s.metersConfigured())
                .put("polls_ok", s.pollsOk()).put("polls_failed", s.pollsFailed())
                .put("journal_backlog", s.journalBacklog()).put("journal_level", s.journalLevel());
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
                count(o, "polls_ok"), count(o, "polls_failed"), count(o, "journal_backlog"), level);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(field + ": expected a string");
        return v.textValue();
    }

    private static long count(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0
                || (!field.startsWith("polls") && !field.equals("journal_backlog") && v.longValue() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(field + ": expected a count");
        }
        return v.longValue();
    }
}
