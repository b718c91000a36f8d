package org.meterhub.protocol.cjt188;

import java.util.ArrayList;
import java.util.List;

/** Text and JSON renderings of an {@link Cjt188Explainer.Explanation}; no JSON library in this module. */
final class ExplanationFormat {

    /** Hex column wraps after this many bytes so long bodies do not push the meaning off screen. */
    private static final int BYTES_PER_LINE = 16;

    private ExplanationFormat() {
    }

    static String text(Cjt188Explainer.Explanation e) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"field", "raw", "meaning"});
        for (Cjt188Explainer.Field f : e.fields()) {
            List<String> chunks = chunks(f.rawHex());
            for (int i = 0; i < chunks.size(); i++) {
                rows.add(new String[] {i == 0 ? f.name() : "", chunks.get(i), i == 0 ? f.meaning() : ""});
            }
        }
        int nameWidth = 0;
        int rawWidth = 0;
        for (String[] row : rows) {
            nameWidth = Math.max(nameWidth, row[0].length());
            rawWidth = Math.max(rawWidth, row[1].length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("CJ/T 188 frame: ").append(e.ok() ? "OK" : "INVALID").append('\n');
        for (String[] row : rows) {
            sb.append(pad(row[0], nameWidth)).append("  ").append(pad(row[1], rawWidth)).append("  ").append(row[2]);
            trimEnd(sb);
            sb.append('\n');
        }
        if (!e.problems().isEmpty()) {
            sb.append("problems:\n");
            for (String p : e.problems()) {
                sb.append("  - ").append(p).append('\n');
            }
        }
        e.message().ifPresent(m -> sb.append("message: ").append(m).append('\n'));
        return sb.toString();
    }

    static String json(Cjt188Explainer.Explanation e) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"ok\":").append(e.ok()).append(",\"fields\":[");
        for (int i = 0; i < e.fields().size(); i++) {
            Cjt188Explainer.Field f = e.fields().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"name\":");
            string(sb, f.name());
            sb.append(",\"raw\":");
            string(sb, f.rawHex());
            sb.append(",\"meaning\":");
            string(sb, f.meaning());
            sb.append('}');
        }
        sb.append("],\"problems\":[");
        for (int i = 0; i < e.problems().size(); i++) {
            sb.append(i == 0 ? "" : ",");
            string(sb, e.problems().get(i));
        }
        sb.append("],\"message\":");
        if (e.message().isPresent()) {
            sb.append("{\"type\":");
            string(sb, e.message().get().getClass().getSimpleName());
            sb.append(",\"text\":");
            string(sb, e.message().get().toString());
            sb.append('}');
        } else {
            sb.append("null");
        }
        return sb.append('}').toString();
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static List<String> chunks(String rawHex) {
        List<String> out = new ArrayList<>();
        int step = BYTES_PER_LINE * 3;
        for (int i = 0; i < rawHex.length(); i += step) {
            out.add(rawHex.substring(i, Math.min(rawHex.length(), i + step)).trim());
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return out;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static void trimEnd(StringBuilder sb) {
        while (sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
    }
}
