package org.meterhub.engine.console;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.meterhub.engine.api.NotFoundException;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.query.LastReadings;

/** The fleet at a glance: meters reporting or stale, open alarms by kind, this cycle's reading coverage against its target. */
final class FleetPage {
    private final LastReadings lastReadings;
    private final Reports reports;
    private final Clock clock;
    private final ConsoleSettings settings;

    /** @param settings when a meter's last reading makes it stale, per medium */
    FleetPage(LastReadings lastReadings, Reports reports, Clock clock, ConsoleSettings settings) {
        this.lastReadings = lastReadings;
        this.reports = reports;
        this.clock = clock;
        this.settings = settings;
    }

    String render() {
        Instant now = clock.instant();
        // One statement for the whole fleet (an index probe per meter), not a lastReading query per meter.
        LastReadings.Freshness f = LastReadings.freshness(lastReadings.all(), now, settings::staleAfter);
        StringBuilder b = new StringBuilder("<section class=\"tiles\">");
        tile(b, "meters", f.meters());
        tile(b, "online", f.online());
        tile(b, "stale", f.stale());
        tile(b, "never read", f.neverRead());
        b.append("</section><p class=\"note\" id=\"stale-rule\">Stale: no reading for more than ")
                .append(Html.esc(ConsoleSettings.human(settings.staleAfter())));
        settings.staleAfterByMedium().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.append(", ")
                .append(Html.esc(e.getKey().name().toLowerCase(java.util.Locale.ROOT))).append(" meters ")
                .append(Html.esc(ConsoleSettings.human(e.getValue()))));
        b.append(".</p>");

        Map<String, int[]> byKind = new TreeMap<>();
        for (Map<String, Object> r : reports.alarms(null, 10_000).rows()) {
            if ("RESOLVED".equals(r.get("state"))) continue;
            int[] c = byKind.computeIfAbsent(String.valueOf(r.get("kind")), k -> new int[2]);
            c[0]++;
            Object by = r.get("ACKNOWLEDGED".equals(r.get("state")) ? "resolve_by" : "acknowledge_by");
            if (by != null && java.time.OffsetDateTime.parse(by.toString()).toInstant().isBefore(now)) c[1]++;
        }
        b.append("<h2>Open alarms by kind</h2><table class=\"report\" id=\"alarms-by-kind\"><thead><tr><th>kind</th>"
                + "<th>open</th><th>overdue</th></tr></thead><tbody>");
        byKind.forEach((k, c) -> b.append("<tr><td><a href=\"/console/alarms?kind=").append(Html.esc(k)).append("\">")
                .append(Html.esc(k)).append("</a></td><td>").append(c[0]).append("</td><td>").append(c[1]).append("</td></tr>"));
        if (byKind.isEmpty()) b.append("<tr><td colspan=\"3\">no open alarms</td></tr>");
        b.append("</tbody></table>");

        YearMonth cycle = YearMonth.from(now.atZone(reports.zone()));
        b.append("<h2>Reading coverage, cycle ").append(cycle).append("</h2>");
        try {
            Report c = reports.coverage(cycle, null);
            b.append(Html.summary(c.summary(), List.of("window", "read", "estimated", "missing", "monthly_coverage_percent",
                    "monthly_target_percent", "monthly_met", "second_visits", "commercial_not_read_this_week")));
        } catch (NotFoundException e) {
            b.append("<p class=\"note\">").append(Html.esc(e.getMessage())).append("</p>");
        }
        return b.toString();
    }

    private static void tile(StringBuilder b, String label, int n) {
        b.append("<div class=\"tile\"><span class=\"n\" data-tile=\"").append(Html.esc(label)).append("\">").append(n)
                .append("</span><span>").append(Html.esc(label)).append("</span></div>");
    }
}
