package org.meterhub.protocol.modbus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Explains one captured Modbus RTU frame ({@code meterhub decode modbus-rtu HEX...}): every field,
 * the CRC check, and precisely what is wrong with a bad frame. RTU frames do not say their
 * direction; it follows from function and length (a read request is 8 bytes, a read response
 * {@code 5 + byte count}).
 */
public final class ModbusRtuExplainer {

    private ModbusRtuExplainer() {
    }

    public record Field(String name, String rawHex, String meaning) {
        public Field {
            Objects.requireNonNull(name);
            Objects.requireNonNull(rawHex);
            Objects.requireNonNull(meaning);
        }
    }

    /** @param kind e.g. "read holding registers response", or "unknown" */
    public record Explanation(boolean ok, String kind, List<Field> fields, List<String> problems) {
        public Explanation {
            fields = List.copyOf(fields);
            problems = List.copyOf(problems);
        }

        public String toText() {
            return ModbusExplanationFormat.text(this);
        }

        public String toJson() {
            return ModbusExplanationFormat.json(this);
        }
    }

    /** Register values of a response, interpreted with a profile when the engineer gives the start address. */
    public record ProfileHint(RegisterProfile profile, int startAddress) {
    }

    public static Explanation explain(byte[] b) {
        return explain(b, null);
    }

    public static Explanation explain(byte[] b, ProfileHint hint) {
        List<Field> fields = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String kind = "unknown";
        if (b.length < 4) {
            problems.add("too short for a Modbus RTU frame: " + b.length + " bytes, at least 4 needed (address, function, CRC)");
            if (b.length > 0) fields.add(field("unparsed", b, 0, b.length, "incomplete frame"));
            return new Explanation(false, kind, fields, problems);
        }
        int unit = b[0] & 0xFF;
        String unitMeaning = unit == 0 ? "broadcast (requests only; no slave answers)"
                : unit <= 247 ? "slave (unit) " + unit : "RESERVED address " + unit + " (valid: 1..247, 0 broadcast)";
        if (unit > 247) problems.add("slave address " + unit + " is reserved; valid addresses are 1..247 and 0 for broadcast");
        fields.add(field("address", b, 0, 1, unitMeaning));
        int fn = b[1] & 0xFF;
        boolean exception = (fn & 0x80) != 0;
        int code = fn & 0x7F;
        fields.add(field("function", b, 1, 2, (exception ? "exception reply to " : "") + code + " " + ModbusRtu.functionName(code)));
        int crcAt = b.length - 2;
        int body = crcAt - 2; // bytes between function and CRC
        if (exception) {
            kind = "exception response";
            if (body != 1) {
                problems.add("an exception response has exactly one exception-code byte before the CRC, this frame has " + body);
            }
            if (body >= 1) {
                int ex = b[2] & 0xFF;
                fields.add(field("exception code", b, 2, 3, ex + " " + ModbusRtu.exceptionName(ex)));
                if (body > 1) fields.add(field("unexpected", b, 3, crcAt, body - 1 + " bytes that do not belong to an exception response"));
            }
        } else if (code == 3 || code == 4) {
            String what = code == 3 ? "read holding registers" : "read input registers";
            if (b.length == 8) {
                kind = what + " request";
                int address = u16(b, 2);
                int count = u16(b, 4);
                fields.add(field("start address", b, 2, 4, address + " (0x" + hex4(address) + ")"
                        + (address + count - 1 > 0xFFFF ? "" : ", registers " + address + ".." + (address + count - 1))));
                fields.add(field("quantity", b, 4, 6, count + " registers"));
                if (count < 1 || count > RegisterProfile.MAX_REGISTERS_PER_READ) {
                    problems.add("quantity " + count + " is outside 1..125, the most one read may ask for");
                }
                if (address + count > 0x10000) problems.add("registers " + address + "+" + count + " run past 65535");
            } else {
                kind = what + " response";
                int byteCount = b[2] & 0xFF;
                fields.add(field("byte count", b, 2, 3, byteCount + " data bytes" + (byteCount % 2 == 0 ? ", " + byteCount / 2 + " registers" : "")));
                int present = body - 1;
                if (byteCount % 2 != 0) problems.add("byte count " + byteCount + " is odd; registers are 2 bytes each");
                if (present != byteCount) {
                    problems.add("byte count says " + byteCount + " data bytes but " + present + " are present before the CRC"
                            + " (frame is " + b.length + " bytes; expected " + (5 + byteCount) + ")");
                }
                int n = Math.min(present, byteCount) / 2;
                int[] words = new int[n];
                for (int i = 0; i < n; i++) {
                    words[i] = u16(b, 3 + 2 * i);
                    String reg = hint != null ? "register " + (hint.startAddress() + i) : "word " + i;
                    fields.add(field(reg, b, 3 + 2 * i, 5 + 2 * i, words[i] + " (0x" + hex4(words[i]) + ")"));
                }
                int covered = 3 + 2 * n;
                if (covered < crcAt) fields.add(field("unexpected", b, covered, crcAt, (crcAt - covered) + " bytes not interpreted"));
                if (hint != null) interpret(hint, code, words, fields, problems);
            }
        } else if (code == 6) {
            kind = "write single register request or its echo";
            if (body != 4) {
                problems.add("write single register carries 4 bytes (address, value) before the CRC, this frame has " + body);
            } else {
                fields.add(field("register", b, 2, 4, String.valueOf(u16(b, 2))));
                fields.add(field("value", b, 4, 6, u16(b, 4) + " (0x" + hex4(u16(b, 4)) + ")"));
            }
        } else if (code == 16) {
            if (body == 4) {
                kind = "write multiple registers response";
                fields.add(field("start address", b, 2, 4, String.valueOf(u16(b, 2))));
                fields.add(field("quantity", b, 4, 6, u16(b, 4) + " registers written"));
            } else if (body >= 5) {
                kind = "write multiple registers request";
                int count = u16(b, 4);
                int byteCount = b[6] & 0xFF;
                fields.add(field("start address", b, 2, 4, String.valueOf(u16(b, 2))));
                fields.add(field("quantity", b, 4, 6, count + " registers"));
                fields.add(field("byte count", b, 6, 7, byteCount + " data bytes"));
                if (byteCount != 2 * count) problems.add("byte count " + byteCount + " does not match quantity " + count + " (should be " + 2 * count + ")");
                if (body - 5 != byteCount) problems.add("byte count says " + byteCount + " bytes but " + (body - 5) + " are present");
                if (body > 5) fields.add(field("values", b, 7, crcAt, (body - 5) + " bytes"));
            } else {
                problems.add("write multiple registers needs at least 4 bytes before the CRC, this frame has " + body);
            }
        } else {
            if (body > 0) fields.add(field("data", b, 2, crcAt, body + " bytes, not interpreted for this function"));
            if (ModbusRtu.functionName(code).startsWith("(")) problems.add("function code " + code + " is not a public Modbus function");
        }
        int given = (b[crcAt] & 0xFF) | (b[crcAt + 1] & 0xFF) << 8;
        int computed = ModbusCrc.of(b, 0, crcAt);
        boolean crcOk = given == computed;
        fields.add(field("CRC", b, crcAt, b.length, "given 0x" + hex4(given) + " (low byte first), computed 0x" + hex4(computed)
                + (crcOk ? ": ok" : ": WRONG")));
        if (!crcOk) {
            problems.add(0, "CRC wrong: frame carries 0x" + hex4(given) + ", bytes compute to 0x" + hex4(computed)
                    + " (line noise, a truncated capture, or bytes from two frames)");
        }
        return new Explanation(problems.isEmpty(), kind, fields, problems);
    }

    private static void interpret(ProfileHint hint, int function, int[] words, List<Field> fields, List<String> problems) {
        RegisterProfile.Block block = new RegisterProfile.Block(function, hint.startAddress(), words.length);
        boolean any = false;
        for (RegisterField f : hint.profile().fields()) {
            if (!block.contains(f)) continue;
            any = true;
            FieldValue v = RegisterDecoder.decode(f, words, f.address() - block.address());
            String meaning = v.text() + " (" + f.meaning().label() + ", " + f.type().label()
                    + (f.type().words() == 2 ? " " + f.order() : "") + ")";
            if (!v.setBits().isEmpty()) meaning += " set: " + String.join(", ", v.setBits());
            if (f.meaning() == FieldMeaning.METER_TIME) meaning += " = " + java.time.Instant.ofEpochSecond(v.raw());
            if (!v.hasValue()) problems.add(f.name() + " is not a finite float32 (" + v.text() + ")");
            fields.add(new Field(hint.profile().name() + "." + f.name(), "", meaning));
        }
        if (!any) problems.add("no field of profile " + hint.profile().name() + " lies within registers "
                + block.address() + ".." + (block.address() + block.count() - 1) + " (function " + function + ")");
    }

    public static Explanation explainHex(String hex) {
        return explain(ModbusExplanationFormat.parseHex(hex));
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static String hex4(int v) {
        return String.format("%04X", v);
    }

    private static Field field(String name, byte[] b, int from, int to, String meaning) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) sb.append(' ');
            sb.append(String.format("%02X", b[i] & 0xFF));
        }
        return new Field(name, sb.toString(), meaning);
    }

    /** Convenience for tests and tools: the decoded values of a response by field name. */
    public static Map<String, FieldValue> values(RegisterProfile profile, int start, int function, int[] words) {
        return RegisterDecoder.decode(profile, new RegisterProfile.Block(function, start, words.length), words);
    }
}
