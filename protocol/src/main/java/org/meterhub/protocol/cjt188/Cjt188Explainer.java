package org.meterhub.protocol.cjt188;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Explains one captured frame to a field engineer ({@code meterhub decode cjt188 HEX...}): every byte
 * with its meaning, and for a bad frame exactly what is wrong, while still showing whatever could be
 * parsed. Uses the same rules and wording as {@link Cjt188Frames#decode} and {@link Cjt188Messages#decode},
 * so what the engineer reads is what the gateway concluded.
 */
public final class Cjt188Explainer {

    private Cjt188Explainer() {
    }

    /** One field of the frame: its name, its bytes as hex, and what they mean. */
    public record Field(String name, String rawHex, String meaning) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(rawHex, "rawHex");
            Objects.requireNonNull(meaning, "meaning");
        }
    }

    /**
     * @param ok no problems at all: the frame is valid and its body fits its layout
     * @param message present only when {@code ok}
     */
    public record Explanation(boolean ok, List<Field> fields, List<String> problems, Optional<Cjt188Message> message) {

        public Explanation {
            fields = List.copyOf(fields);
            problems = List.copyOf(problems);
            Objects.requireNonNull(message, "message");
        }

        /** An aligned table for a terminal, then the problems, then the decoded message. */
        public String toText() {
            return ExplanationFormat.text(this);
        }

        /** Hand-written JSON; non-ASCII is escaped so that any console encoding shows it intact. */
        public String toJson() {
            return ExplanationFormat.json(this);
        }
    }

    public static Explanation explain(byte[] capture) {
        Objects.requireNonNull(capture, "capture");
        FrameDissection d = FrameDissection.of(capture);
        byte[] b = d.bytes();
        List<Field> fields = new ArrayList<>();
        List<String> problems = new ArrayList<>(d.problems());
        Cjt188Message message = null;

        int pre = d.preambleLength();
        if (pre > 0) {
            fields.add(field("preamble", b, 0, pre, pre + " wake-up bytes (FE), not in the checksum"));
        }
        if (d.garbageLength() > 0) {
            fields.add(field("garbage", b, pre, pre + d.garbageLength(), "not part of a frame"));
        }
        int s = d.start();
        if (s < 0) {
            if (pre < b.length) {
                fields.add(field("unparsed", b, pre, b.length, "no 0x68 start byte anywhere"));
            }
            return new Explanation(false, fields, problems, Optional.empty());
        }
        fields.add(field("start", b, s, s + 1, "start byte"));
        if (d.hasHeaderByte(Cjt188Frames.TYPE_OFFSET)) {
            fields.add(field("T", b, s + 1, s + 2, "meter type: " + MeterType.describe(d.type())));
        }
        explainAddress(d, fields);
        if (d.hasHeaderByte(Cjt188Frames.CONTROL_OFFSET)) {
            fields.add(field("C", b, s + 9, s + 10, describeControl(d.control())));
        }
        if (d.length() < 0) {
            return new Explanation(false, fields, problems, Optional.empty());
        }
        fields.add(field("L", b, s + 10, s + 11, d.length() + " data bytes"));

        int dataFrom = d.dataFrom();
        if (d.dataAvailable() == d.length() && d.address() != null) {
            Cjt188Frame frame = new Cjt188Frame(d.type(), d.address(), d.control(), d.data());
            int[] covered = {0};
            BodyReader.FieldSink sink = (name, from, to, meaning) -> {
                fields.add(field(name, b, dataFrom + from, dataFrom + to, meaning));
                covered[0] = to;
            };
            try {
                message = Cjt188Messages.decode(frame, DiOrder.HIGH_FIRST, sink);
            } catch (Cjt188Exception e) {
                problems.add(e.getMessage());
            }
            if (covered[0] < d.length()) {
                fields.add(field("undecoded data", b, dataFrom + covered[0], dataFrom + d.length(),
                        (d.length() - covered[0]) + " bytes not interpreted"));
            }
        } else if (d.dataAvailable() > 0) {
            fields.add(field("data", b, dataFrom, dataFrom + d.dataAvailable(), d.dataAvailable() < d.length()
                    ? "only " + d.dataAvailable() + " of " + d.length() + " bytes present"
                    : "not interpreted: the address is invalid"));
        }

        if (d.checksumOffset() >= 0) {
            int given = b[d.checksumOffset()] & 0xFF;
            fields.add(field("CS", b, d.checksumOffset(), d.checksumOffset() + 1, "given " + Hex.byteValue(given) + ", computed "
                    + Hex.byteValue(d.checksumComputed()) + (given == d.checksumComputed() ? ": ok" : ": WRONG")));
        }
        if (d.endOffset() >= 0) {
            boolean endOk = (b[d.endOffset()] & 0xFF) == Cjt188Frames.END_BYTE;
            fields.add(field("end", b, d.endOffset(), d.endOffset() + 1, endOk ? "end byte" : "should be 0x16"));
        }
        if (d.trailingFrom() >= 0) {
            fields.add(field("trailing", b, d.trailingFrom(), b.length, "after the end of the frame"));
        }
        boolean ok = problems.isEmpty();
        return new Explanation(ok, fields, problems, ok ? Optional.ofNullable(message) : Optional.empty());
    }

    /** As {@link #explain(byte[])} for hex text as typed ({@code "FE FE 68 10 ..."}); spaces optional. */
    public static Explanation explainHex(String hex) {
        return explain(Hex.parse(hex));
    }

    private static void explainAddress(FrameDissection d, List<Field> fields) {
        byte[] b = d.bytes();
        int from = d.start() + Cjt188Frames.ADDRESS_OFFSET;
        if (!d.hasHeaderByte(Cjt188Frames.ADDRESS_OFFSET)) {
            return;
        }
        if (!d.hasHeaderByte(Cjt188Frames.ADDRESS_OFFSET + MeterAddress.WIRE_LENGTH - 1)) {
            fields.add(field("A", b, from, b.length, "address, incomplete"));
            return;
        }
        int to = from + MeterAddress.WIRE_LENGTH;
        MeterAddress address = d.address();
        String meaning;
        if (address == null) {
            String problem = MeterAddress.wireProblem(b, from);
            meaning = problem != null ? "invalid: " + problem : "address";
        } else if (address.isWildcard()) {
            meaning = "wildcard AA×7 (whichever single meter is on the bus)";
        } else if (address.isBroadcast()) {
            meaning = "broadcast 99×7";
        } else {
            meaning = "meter " + address.digits() + " (low byte first)";
        }
        fields.add(field("A", b, from, to, meaning));
    }

    static String describeControl(int c) {
        boolean fromMeter = (c & 0x80) != 0;
        boolean error = (c & 0x40) != 0;
        boolean followUp = (c & 0x20) != 0;
        int function = c & 0x1F;
        return "bit7=" + (fromMeter ? "1 from meter" : "0 from master")
                + ", bit6=" + (error ? "1 ERROR reply" : "0 normal")
                + ", bit5=" + (followUp ? "1 follow-up frame" : "0 no follow-up")
                + ", function " + Hex.byteValue(function) + " " + functionName(function);
    }

    private static String functionName(int function) {
        return switch (function) {
            case 0x01 -> "read data";
            case 0x03 -> "read address";
            case 0x04 -> "write data";
            case 0x09 -> "read key version";
            case 0x15 -> "write address";
            case 0x16 -> "set base reading";
            default -> "(not in the standard)";
        };
    }

    private static Field field(String name, byte[] b, int from, int to, String meaning) {
        return new Field(name, Hex.bytes(b, from, to), meaning);
    }
}
