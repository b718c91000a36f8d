package org.meterhub.engine.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;

/**
 * Open alarms, overdue first then by the next deadline, with countdowns and the acknowledge and
 * resolve steps (the page POSTs them to the API's {@code /api/v1/alarms/{id}/...}).
 */
final class AlarmsPage {
    private static final int LIMIT = 10_000;
    private final Reports reports;
    private final Clock clock;

    AlarmsPage(Reports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    /** An open alarm and the deadline it must meet next (acknowledge, then resolve). */
    private record Open(Map<String, Object> row, Instant deadline, String step) {
    }

    String render(Map<String, String> q) {
        String meter = blankToNull(q.get("meter"));
        String kind = blankToNull(q.get("kind"));
        String state = blankToNull(q.get("state"));
        Report all = reports.alarms(meter, LIMIT);
        Instant now = clock.instant();
        TreeSet<String> kinds = new TreeSet<>();
        List<Open> open = new ArrayList<>();
        for (Map<String, Object> r : all.rows()) {
            if ("RESOLVED".equals(r.get("state"))) continue;
            kinds.add(String.valueOf(r.get("kind")));
            if (kind != null && !kind.equals(r.get("kind"))) continue;
            if (state != null && !state.equalsIgnoreCase(String.valueOf(r.get("state")))) continue;
            boolean acked = "ACKNOWLEDGED".equals(r.get("state"));
            Instant deadline = time(r.get(acked ? "resolve_by" : "acknowledge_by"));
            open.add(new Open(r, deadline, acked ? "resolve" : "acknowledge"));
        }
        // Overdue first (the most overdue on top), then the nearest deadline; alarms without a deadline last.
        open.sort(Comparator.comparing((Open o) -> o.deadline() == null ? Instant.MAX : o.deadline()));
        StringBuilder b = new StringBuilder("<form class=\"filters\" method=\"get\">");
        b.append("<label>Kind <select name=\"kind\"><option value=\"\">all</option>");
        for (String k : kinds) {
            b.append("<option").append(k.equals(kind) ? " selected" : "").append('>').append(Html.esc(k)).append("</option>");
        }
        b.append("</select></label> <label>State <select name=\"state\"><option value=\"\">open</option>");
        for (String s : List.of("RAISED", "ACKNOWLEDGED")) {
            b.append("<option").append(s.equalsIgnoreCase(state == null ? "" : state) ? " selected" : "").append('>')
                    .append(s).append("</option>");
        }
        b.append("</select></label> <label>Meter <input name=\"meter\" value=\"").append(Html.esc(meter))
                .append("\" size=\"16\"></label> <button>Filter</button></form>");
        long overdue = open.stream().filter(o -> o.deadline() != null && o.deadline().isBefore(now)).count();
        b.append("<p class=\"counts\"><span id=\"open-count\">").append(open.size()).append("</span> open, <span id=\"overdue-count\">")
                .append(overdue).append("</span> overdue</p>");
        b.append("<table class=\"report alarms\"><thead><tr><th>id</th><th>kind</th><th>meter / subject</th><th>detail</th>"
                + "<th>raised</th><th>state</th><th>next deadline</th><th>action</th></tr></thead><tbody>");
        for (Open o : open) {
            Map<String, Object> r = o.row();
            Object id = r.get("alarm_id");
            boolean late = o.deadline() != null && o.deadline().isBefore(now);
            b.append("<tr id=\"alarm-").append(Html.esc(id)).append("\"").append(late ? " class=\"overdue\"" : "").append('>');
            b.append("<td>").append(Html.esc(id)).append("</td><td>").append(Html.esc(r.get("kind"))).append("</td><td>");
            Object m = r.get("meter_id");
            if (m != null) {
                b.append("<a href=\"/console/meters/").append(Html.esc(java.net.URLEncoder.encode(m.toString(),
                        java.nio.charset.StandardCharsets.UTF_8))).append("\">").append(Html.esc(m)).append("</a>");
            } else {
                b.append(Html.esc(r.get("subject")));
            }
            b.append("</td><td>").append(Html.esc(r.get("detail"))).append("</td><td>").append(Html.esc(r.get("raised_at")))
                    .append("</td><td class=\"state\">").append(Html.esc(r.get("state"))).append("</td><td>");
            if (o.deadline() != null) {
                b.append(Html.esc(o.step())).append(" by ").append(Html.esc(r.get(o.step().equals("resolve") ? "resolve_by"
                        : "acknowledge_by"))).append("<br><span class=\"countdown\" data-deadline=\"")
                        .append(o.deadline().toEpochMilli()).append("\">").append(Html.esc(countdown(o.deadline(), now)))
                        .append("</span>");
            }
            b.append("</td><td>");
            String base = "/api/v1/alarms/" + Html.esc(id) + "/";
            if ("RAISED".equals(r.get("state"))) {
                b.append("<form class=\"step\" data-url=\"").append(base).append("acknowledge\"><button class=\"ack\">Acknowledge</button></form>");
            }
            b.append("<form class=\"step\" data-url=\"").append(base).append("resolve\"><input name=\"note\" class=\"note\" "
                    + "placeholder=\"what was found and done\" required><button class=\"resolve\">Resolve</button></form>");
            b.append("<span class=\"step-error\"></span></td></tr>");
        }
        if (open.isEmpty()) b.append("<tr><td colspan=\"8\">no open alarms</td></tr>");
        b.append("</tbody></table><script src=\"/console/assets/console.js\"></script>");
        return b.toString();
    }

    /** "in 3 h 20 min" or "overdue 2 h 5 min" (the page keeps it ticking). */
    static String countdown(Instant deadline, Instant now) {
        Duration d = Duration.between(now, deadline);
        Duration a = d.abs();
        String text = (a.toDays() > 0 ? a.toDays() + " d " : "") + a.toHoursPart() + " h " + a.toMinutesPart() + " min";
        return d.isNegative() ? "overdue " + text : "in " + text;
    }

    private static Instant time(Object v) {
        return v == null ? null : OffsetDateTime.parse(v.toString()).toInstant();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
