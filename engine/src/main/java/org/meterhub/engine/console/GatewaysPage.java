package org.meterhub.engine.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.meterhub.engine.gateways.BusStatus;
import org.meterhub.engine.gateways.GatewayHealth;
import org.meterhub.engine.gateways.GatewayStatus;

/**
 * The gateways as each last reported itself ({@link GatewayHealth}, the query {@code GET /api/v1/gateways} answers
 * from too): DTUs connected, the buses' polls that produced a reading or failed after their retries, and the
 * journal's backlog (readings the store has not acknowledged yet) with its level; below, each bus with its state.
 */
final class GatewaysPage {
    /** A gateway that has not reported for this long (six of its 10 s reports) is shown as not reporting. */
    static final Duration STALE_AFTER = GatewayHealth.STALE_AFTER;
    private final Clock clock;
    private final ZoneId zone;
    private final GatewayHealth health;

    /** @param health the gateways' status in the store's database, judged; null: the page says it has none */
    GatewaysPage(Clock clock, ZoneId zone, GatewayHealth health) {
        this.clock = clock;
        this.zone = zone;
        this.health = health;
    }

    String render() {
        if (health == null) return "<p class=\"note\">gateway status needs the store's database</p>";
        Instant now = clock.instant();
        List<GatewayHealth.Gateway> all = health.all(now);
        DateTimeFormatter t = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(zone);
        StringBuilder b = new StringBuilder("<p class=\"note\">Every 10 s each gateway reports its status: a single box"
                + " writes it to its store, a forwarding gateway sends it over the batches' broker to"
                + " <code>engine-intake</code>, which stores it. Polls count from the gateway's start; failed polls are"
                + " the ones still failing after their retries. Backlog: readings in the gateway's journal that the store"
                + " has not acknowledged yet. A gateway silent for more than "
                + STALE_AFTER.toSeconds() + " s is shown as not reporting: the numbers are its last.</p>");
        b.append("<table class=\"report\" id=\"gateways\"><thead><tr><th>gateway</th><th>reported</th><th>DTUs connected</th>"
                + "<th>meters online</th><th>polls ok</th><th>polls failed</th><th>failed share</th>"
                + "<th>journal backlog</th><th>journal level</th><th>buses</th></tr></thead><tbody>");
        for (GatewayHealth.Gateway g : all) {
            GatewayStatus s = g.status();
            long total = s.pollsOk() + s.pollsFailed();
            String share = total == 0 ? "-" : java.math.BigDecimal.valueOf(s.pollsFailed() * 100L)
                    .divide(java.math.BigDecimal.valueOf(total), 1, java.math.RoundingMode.HALF_EVEN).toPlainString() + " %";
            boolean stale = !g.reporting();
            b.append("<tr id=\"gateway-").append(Html.esc(s.gatewayId())).append(stale ? "\" class=\"stale" : "").append("\"><td>").append(Html.esc(s.gatewayId()))
                    .append("</td><td>").append(Html.esc(t.format(s.reportedAt()))).append("<br>").append(Html.esc(ago(s.reportedAt(), now)))
                    .append(stale ? "<br><b>not reporting</b>" : "")
                    .append("</td><td class=\"dtus\">").append(s.dtusConnected()).append(" / ").append(s.dtusConfigured())
                    .append("</td><td>").append(s.metersOnline()).append(" / ").append(s.metersConfigured())
                    .append("</td><td class=\"polls-ok\">").append(s.pollsOk())
                    .append("</td><td class=\"polls-failed\">").append(s.pollsFailed())
                    .append("</td><td>").append(share)
                    .append("</td><td class=\"backlog\">").append(s.journalBacklog())
                    .append("</td><td class=\"level\">").append(Html.esc(s.journalLevel()))
                    .append("</td><td class=\"bus-states\">").append(Html.esc(states(g.buses()))).append("</td></tr>");
        }
        if (all.isEmpty()) b.append("<tr><td colspan=\"10\">no gateway has reported to this store</td></tr>");
        b.append("</tbody></table>");
        buses(b, all, now, t);
        return b.toString();
    }

    /** E.g. "3 ok, 1 degraded, 1 down"; "-" for a gateway that reported no buses. */
    private static String states(List<GatewayHealth.Bus> buses) {
        if (buses.isEmpty()) return "-";
        java.util.Map<GatewayHealth.State, Integer> n = new java.util.EnumMap<>(GatewayHealth.State.class);
        for (GatewayHealth.Bus bus : buses) n.merge(bus.state(), 1, Integer::sum);
        StringBuilder out = new StringBuilder();
        n.forEach((state, count) -> out.append(out.length() == 0 ? "" : ", ").append(count).append(' ')
                .append(state.name().toLowerCase(java.util.Locale.ROOT)));
        return out.toString();
    }

    private void buses(StringBuilder b, List<GatewayHealth.Gateway> all, Instant now, DateTimeFormatter t) {
        GatewayHealth.Settings s = health.settings();
        b.append("<h2>Buses</h2><p class=\"note\">Each bus as its gateway last reported it: DTU dial-in connections,"
                + " RS-485 lines, Modbus TCP peers. Polls are those of the gateway's last window (shown), failed after their"
                + " retries; the last error is the failure's kind. <b>down</b>: not connected, or at least ")
                .append(s.downPercent()).append(" % of the window's polls failed; <b>degraded</b>: at least ")
                .append(s.degradedPercent()).append(" % failed (settings <code>console: bus-health:</code>).</p>");
        b.append("<table class=\"report\" id=\"buses\"><thead><tr><th>gateway</th><th>kind</th><th>bus</th><th>state</th>"
                + "<th>connected</th><th>polls ok</th><th>polls failed</th><th>failed share</th><th>window</th>"
                + "<th>last success</th><th>last error</th></tr></thead><tbody>");
        int rows = 0;
        for (GatewayHealth.Gateway g : all) {
            for (GatewayHealth.Bus bus : g.buses()) {
                BusStatus x = bus.status();
                String state = bus.state().name().toLowerCase(java.util.Locale.ROOT);
                b.append("<tr class=\"bus state-").append(state).append(g.reporting() ? "" : " stale")
                        .append("\" data-gateway=\"").append(Html.esc(g.status().gatewayId()))
                        .append("\" data-bus=\"").append(Html.esc(x.name())).append("\"><td>")
                        .append(Html.esc(g.status().gatewayId())).append("</td><td class=\"kind\">").append(Html.esc(x.kind()))
                        .append("</td><td class=\"name\">").append(Html.esc(x.name()))
                        .append("</td><td class=\"state\"><b>").append(state).append("</b>")
                        .append(bus.why().isEmpty() ? "" : "<br>" + Html.esc(bus.why()))
                        .append("</td><td class=\"connected\">").append(x.connected() ? "yes" : "no")
                        .append("</td><td class=\"bus-ok\">").append(x.pollsOk())
                        .append("</td><td class=\"bus-failed\">").append(x.pollsFailed())
                        .append("</td><td>").append(bus.failedPercent() == null ? "-" : bus.failedPercent().toPlainString() + " %")
                        .append("</td><td>").append(Html.esc(GatewayHealth.human(x.window())))
                        .append("</td><td class=\"last-ok\">").append(x.lastOk() == null ? "never since the gateway started"
                                : Html.esc(t.format(x.lastOk())) + "<br>" + Html.esc(ago(x.lastOk(), now)))
                        .append("</td><td class=\"last-error\">").append(x.lastErrorAt() == null ? "-"
                                : Html.esc(x.lastError() == null ? "" : x.lastError()) + "<br>" + Html.esc(t.format(x.lastErrorAt()))
                                + "<br>" + Html.esc(ago(x.lastErrorAt(), now)))
                        .append("</td></tr>");
                rows++;
            }
        }
        if (rows == 0) b.append("<tr><td colspan=\"11\">no gateway has reported its buses</td></tr>");
        b.append("</tbody></table>");
    }

    static String ago(Instant at, Instant now) {
        Duration d = Duration.between(at, now);
        if (d.isNegative()) return "ahead of the engine's clock by " + d.negated().toSeconds() + " s";
        if (d.toMinutes() < 2) return d.toSeconds() + " s ago";
        if (d.toHours() < 2) return d.toMinutes() + " min ago";
        return d.toHours() + " h ago";
    }
}
