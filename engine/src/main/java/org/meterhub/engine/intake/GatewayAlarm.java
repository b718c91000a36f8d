package org.meterhub.engine.intake;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm a forwarding gateway raised about something on its side of the link that the engine must
 * store (a refused DTU takeover: {@code TAMPER} on the DTU), sent on {@link Topics#alarms()} until an
 * engine answers with an {@link AlarmAck} on the gateway's acknowledgement topic. Unlike the process
 * alarms (published for operators, not stored), these enter the engine's alarm lifecycle.
 *
 * @param id     chosen by the gateway, unique per alarm: the acknowledgement names it
 * @param kind   an engine alarm kind's name ({@code org.meterhub.engine.alarm.AlarmKind})
 * @param at     when the gateway observed it
 */
public record GatewayAlarm(String gatewayId, String id, String kind, String subject, String detail, Instant at) {
    /** Bounds what an engine accepts from a peer. */
    public static final int MAX_TEXT = 1000;

    public GatewayAlarm {
        Topics.checkGatewayId(gatewayId);
        Objects.requireNonNull(at, "at");
        check("id", id, 64);
        check("kind", kind, 64);
        check("subject", subject, 128);
        check("detail", detail, MAX_TEXT);
    }

    private static void check(String field, String value, int max) {
        if (value == null || value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(field + ": expected 1 to " + max + " characters");
        }
    }
}
