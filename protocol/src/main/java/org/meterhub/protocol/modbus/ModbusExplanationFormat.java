package org.meterhub.protocol.modbus;

import java.util.ArrayList;
import java.util.List;

/** Text and JSON for a {@link ModbusRtuExplainer.Explanation}; no JSON library in this module. */
final class ModbusExplanationFormat {

    private ModbusExplanationFormat() {
    }

    static String text(ModbusRtuExplainer.Explanation e) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"field", "raw", "meaning"});
        for (ModbusRtuExplainer.Field f : e.fields()) rows.add(new String[] {f.name(), f.rawHex(), f.meaning()});
        int w0 = 0;
        int w1 = 0;
        for (String[] r : rows) {
            w0 = Math.max(w0, r[0].length());
            w1 = Math.max(w1, r[1].length());
        }
        StringBuilder sb = new StringBuilder("Modbus RTU frame: ").append(e.ok() ? "OK" : "INVALID")
                .append(" (").append(e.kind()).append(")\n");
        for (String[] r : rows) {
            String line = pad(r[0], w0) + "  " + pad(r[1], w1) + "  " + r[2];
            sb.append(line.stripTrailing()).append('\n');
        }
        if (!e.problems().isEmpty()) {
            sb.append("problems:\n");
            for (String p : e.problems()) sb.append("  - ").append(p).append('\n');
        }
        return sb.toString();
    }

    static String json(ModbusRtuExplainer.Explanation e) {
        StringBuilder sb = new StringBuilder("{\"ok\":").append(e.ok()).append(",\"kind\":");
        string(sb, e.kind());
        sb.append(",\"fields\":[");
        for (int i = 0; i < e.fields().size(); i++) {
            ModbusRtuExplainer.Field f = e.fields().get(i);
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
        return sb.append("]}").toString();
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7E) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    static byte[] parseHex(String text) {
        String cleaned = text.replaceAll("0[xX]", "").replaceAll("[\\s,:;-]", "");
        if (cleaned.length() % 2 != 0) throw new IllegalArgumentException("odd number of hex digits in \"" + text + "\"");
        byte[] out = new byte[cleaned.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(cleaned.charAt(2 * i), 16);
            int lo = Character.digit(cleaned.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("not a hex byte: \"" + cleaned.substring(2 * i, 2 * i + 2) + "\"");
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }
}
