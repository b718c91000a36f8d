package org.meterhub.engine.console;

import java.util.List;
import java.util.Map;
import org.meterhub.engine.api.Report;

/** HTML pieces for the console: every value from the store passes through {@link #esc}. */
final class Html {
    private Html() {
    }

    static String esc(Object value) {
        if (value == null) return "";
        String s = value instanceof List<?> l ? String.join(", ", l.stream().map(String::valueOf).toList()) : value.toString();
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A whole page: navigation, title and body (the body is already escaped HTML). */
    static String page(String title, String user, String body) {
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · meterhub</title>
                <link rel="stylesheet" href="/console/assets/uPlot.min.css">
                <link rel="stylesheet" href="/console/assets/console.css">
                </head><body>
                <nav><b>meterhub</b> <a href="/console/">Fleet</a> <a href="/console/alarms">Alarms</a> <a href="/console/gateways">Gateways</a>
                <form class="meter" method="get" action="/console/meter"><input name="id" placeholder="meter id" size="16">
                <input name="purpose" placeholder="purpose" size="14" list="nav-purposes"><datalist id="nav-purposes">%s</datalist>
                <button type="submit">Open</button></form>
                <span class="user">%s <a href="/console/logout" id="logout">log out</a></span></nav>
                <main><h1>%s</h1>
                %s
                </main></body></html>
                """.formatted(esc(title), PURPOSE_OPTIONS, esc(user), esc(title), body);
    }

    /** Purposes the console suggests; any other text is accepted too. */
    static final List<String> PURPOSES = List.of("alarm work", "customer enquiry", "billing enquiry or dispute",
            "meter fault", "data subject request");
    private static final String PURPOSE_OPTIONS = String.join("", PURPOSES.stream()
            .map(p -> "<option value=\"" + esc(p) + "\">").toList());

    /** {@code &amp;purpose=…} (escaped for an attribute) when the request stated one, else empty. */
    static String purposeQuery(Map<String, String> q) {
        String p = q.get("purpose");
        return p == null || p.isBlank() ? "" : "&amp;purpose=" + esc(java.net.URLEncoder.encode(p.strip(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Asks why a household's page is opened, for roles that must say (docs/security.md): a form back to the same page
     * with the other query parameters kept.
     */
    static String purposeForm(String path, Map<String, String> q, String why) {
        StringBuilder b = new StringBuilder("<p class=\"error\">").append(esc(why)).append("</p>")
                .append("<form class=\"purpose\" method=\"get\" action=\"").append(esc(path)).append("\">");
        q.forEach((k, v) -> {
            if (!k.equals("purpose")) {
                b.append("<input type=\"hidden\" name=\"").append(esc(k)).append("\" value=\"").append(esc(v)).append("\">");
            }
        });
        b.append("<label>Purpose <input name=\"purpose\" id=\"purpose\" list=\"purposes\" maxlength=\"200\" required></label>")
                .append("<datalist id=\"purposes\">").append(PURPOSE_OPTIONS);
        return b.append("</datalist> <button type=\"submit\" id=\"purpose-go\">Open</button></form>").toString();
    }

    /** A report's rows as a table, in the given columns, at most {@code max} rows. */
    static String table(Report report, List<String> columns, int max) {
        StringBuilder b = new StringBuilder("<table class=\"report\" data-report=\"").append(esc(report.rowsName()))
                .append("\"><thead><tr>");
        for (String c : columns) b.append("<th>").append(esc(c)).append("</th>");
        b.append("</tr></thead><tbody>");
        int n = 0;
        for (Map<String, Object> row : report.rows()) {
            if (n++ == max) break;
            b.append("<tr>");
            for (String c : columns) b.append("<td>").append(esc(row.get(c))).append("</td>");
            b.append("</tr>");
        }
        if (report.rows().isEmpty()) b.append("<tr><td colspan=\"").append(columns.size()).append("\">none</td></tr>");
        b.append("</tbody></table>");
        if (report.rows().size() > max) {
            b.append("<p class=\"more\">").append(report.rows().size() - max).append(" more not shown</p>");
        }
        return b.toString();
    }

    /** Summary fields as a definition list. */
    static String summary(Map<String, Object> fields, List<String> keys) {
        StringBuilder b = new StringBuilder("<dl class=\"summary\">");
        for (String k : keys) {
            b.append("<dt>").append(esc(k)).append("</dt><dd data-field=\"").append(esc(k)).append("\">")
                    .append(esc(fields.get(k))).append("</dd>");
        }
        return b.append("</dl>").toString();
    }
}
