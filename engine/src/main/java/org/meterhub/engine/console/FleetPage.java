package org.meterhub.engine.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.meterhub.engine.api.NotFoundException;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.TimeSeriesStore;

/** The fleet at a glance: meters reporting or stale, open alarms by kind, this cycle's reading coverage against its target. */
final class FleetPage {
    private final TimeSeriesStore store;
    private final Reports reports;
    private final Clock clock;
    private final Duration staleAfter;

    /** @param staleAfter a meter whose last reading is older than this counts as stale */
    FleetPage(TimeSeriesStore store, Reports reports, Clock clock, Duration staleAfter) {
        this.store = store;
        this.reports = reports;
        this.clock = clock;
        this.staleAfter = staleAfter;
    }

    String render() {
        Instant now = clock.instant();
        int online = 0;
        int stale = 0;
        int silent = 0;
        List<MeterInfo> meters = store.meters();
        for (MeterInfo m : meters) {
            Optional<Reading> last = store.lastReading(m.meterId());
            if (last.isEmpty()) silent++;
            else if (last.get().time().isBefore(now.minus(staleAfter))) stale++;
            else online++;
        }
        StringBuilder b = new StringBuilder("<section class=\"tiles\">");
        tile(b, "meters", meters.size());
        tile(b, "online", online);
        tile(b, "stale", stale);
        tile(b, "never read", silent);
        b.append("</section><p class=\"note\">Stale: no reading for more than ").append(staleAfter.toHours())
                .append(" h.</p>");

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
