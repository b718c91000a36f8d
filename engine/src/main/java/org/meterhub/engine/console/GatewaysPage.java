package org.meterhub.engine.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * The gateways as each last reported itself ({@link JdbcGatewayStatus}): DTUs connected, the buses'
 * polls that produced a reading or failed after their retries, and the journal's backlog (readings
 * the store has not acknowledged yet) with its level.
 */
final class GatewaysPage {
    /** A gateway that has not reported for this long (six of its 10 s reports) is shown as not reporting. */
    static final Duration STALE_AFTER = Duration.ofMinutes(1);
    private final Clock clock;
    private final ZoneId zone;
    private final SqlDatabase db;

    /** @param db the store's database, where gateways report; null: the page says it has none */
    GatewaysPage(Clock clock, ZoneId zone, SqlDatabase db) {
        this.clock = clock;
        this.zone = zone;
        this.db = db;
    }

    String render() {
        if (db == null) return "<p class=\"note\">gateway status needs the store's database</p>";
        List<GatewayStatus> all = new JdbcGatewayStatus(db).all();
        Instant now = clock.instant();
        DateTimeFormatter t = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(zone);
        StringBuilder b = new StringBuilder("<p class=\"note\">Every 10 s each gateway reports its status: a single box"
                + " writes it to its store, a forwarding gateway sends it over the batches' broker to"
                + " <code>engine-intake</code>, which stores it. Polls count from the gateway's start; failed polls are"
                + " the ones still failing after their retries. Backlog: readings in the gateway's journal that the store"
                + " has not acknowledged yet. A gateway silent for more than "
                + STALE_AFTER.toSeconds() + " s is shown as not reporting: the numbers are its last.</p>");
        b.append("<table class=\"report\" id=\"gateways\"><thead><tr><th>gateway</th><th>reported</th><th>DTUs connected</th>"
                + "<th>meters online</th><th>polls ok</th><th>polls failed</th><th>failed share</th>"
                + "<th>journal backlog</th><th>journal level</th></tr></thead><tbody>");
        for (GatewayStatus s : all) {
            long total = s.pollsOk() + s.pollsFailed();
            String share = total == 0 ? "-" : java.math.BigDecimal.valueOf(s.pollsFailed() * 100L)
                    .divide(java.math.BigDecimal.valueOf(total), 1, java.math.RoundingMode.HALF_EVEN).toPlainString() + " %";
            boolean stale = s.reportedAt().isBefore(now.minus(STALE_AFTER));
            b.append("<tr id=\"gateway-").append(Html.esc(s.gatewayId())).append(stale ? "\" class=\"stale" : "").append("\"><td>").append(Html.esc(s.gatewayId()))
                    .append("</td><td>").append(Html.esc(t.format(s.reportedAt()))).append("<br>").append(Html.esc(ago(s.reportedAt(), now)))
                    .append(stale ? "<br><b>not reporting</b>" : "")
                    .append("</td><td class=\"dtus\">").append(s.dtusConnected()).append(" / ").append(s.dtusConfigured())
                    .append("</td><td>").append(s.metersOnline()).append(" / ").append(s.metersConfigured())
                    .append("</td><td class=\"polls-ok\">").append(s.pollsOk())
                    .append("</td><td class=\"polls-failed\">").append(s.pollsFailed())
                    .append("</td><td>").append(share)
                    .append("</td><td class=\"backlog\">").append(s.journalBacklog())
                    .append("</td><td class=\"level\">").append(Html.esc(s.journalLevel())).append("</td></tr>");
        }
        if (all.isEmpty()) b.append("<tr><td colspan=\"9\">no gateway has reported to this store</td></tr>");
        return b.append("</tbody></table>").toString();
    }

    static String ago(Instant at, Instant now) {
        Duration d = Duration.between(at, now);
        if (d.isNegative()) return "ahead of the engine's clock by " + d.negated().toSeconds() + " s";
        if (d.toMinutes() < 2) return d.toSeconds() + " s ago";
        if (d.toHours() < 2) return d.toMinutes() + " min ago";
        return d.toHours() + " h ago";
    }
}
