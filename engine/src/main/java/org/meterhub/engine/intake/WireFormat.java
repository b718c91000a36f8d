package org.meterhub.engine.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

/**
 * The gateway-to-engine wire format, version 1 (docs/store-and-forward.md, "Wire format"): JSON,
 * times as epoch milliseconds (UTC), volumes in whole litres, short keys because every reading
 * of every meter crosses the uplink.
 *
 * <pre>
 * batch: {"v":1,"gw":"gw-01","p":3,"first":101,"last":160,"sent":1764000000000,"r":[
 *          {"s":101,"m":"30000000000001","t":1764000000000,"rt":1764000000250,"mt":1764000000000,
 *           "l":1234560,"src":"CJT188","f":["CLOCK_SKEW"],"st":0}, ...]}
 *        (a volume converter's reading adds "cv":{"vm":2000120,"p":"103.25","t":"12.5"}: Vm in litres,
 *         absolute pressure in kPa and temperature in °C as decimal strings, so they stay exact)
 * ack:   {"v":1,"gw":"gw-01","p":3,"first":101,"last":160,"n":57}
 *        optionally "rej":[{"s":117,"why":"..."}]: readings the store refused for good (set aside by the gateway)
 * alarm: {"v":1,"gw":"gw-01","alarm":"6f1c…","kind":"TAMPER","subject":"DTU-0001","detail":"...","t":1764000000000}
 * alarm ack: {"v":1,"gw":"gw-01","alarm":"6f1c…"}
 * </pre>
 *
 * Decoding is strict about what it needs (a missing or mistyped field, an unknown version, source
 * or flag is a {@link WireFormatException}) and ignores fields it does not know, so a later
 * version 1 writer may add optional fields.
 */
public final class WireFormat {
    public static final int VERSION = 1;
    /** A batch with more readings than this is refused: memory stays bounded on a bad peer. */
    public static final int MAX_READINGS = 10_000;

    private final ObjectMapper mapper = new ObjectMapper();
    private final JsonFactory factory = mapper.getFactory();

    public byte[] encode(ReadingBatch batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + batch.entries().size() * 160);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("gw", batch.gatewayId());
            g.writeNumberField("p", batch.partition());
            g.writeNumberField("first", batch.firstSeq());
            g.writeNumberField("last", batch.lastSeq());
            g.writeNumberField("sent", batch.sentAt().toEpochMilli());
            g.writeArrayFieldStart("r");
            for (BatchEntry e : batch.entries()) {
                Reading r = e.reading();
                g.writeStartObject();
                g.writeNumberField("s", e.seq());
                g.writeStringField("m", r.meterId());
                g.writeNumberField("t", r.time().toEpochMilli());
                g.writeNumberField("rt", r.receivedAt().toEpochMilli());
                if (r.meterTime() != null) g.writeNumberField("mt", r.meterTime().toEpochMilli());
                g.writeNumberField("l", r.volumeL());
                g.writeStringField("src", r.source().name());
                if (!r.flags().isEmpty()) {
                    g.writeArrayFieldStart("f");
                    for (ReadingFlag f : ReadingFlag.values()) if (r.has(f)) g.writeString(f.name());
                    g.writeEndArray();
                }
                g.writeNumberField("st", r.statusBits());
                ConverterValues cv = r.converter();
                if (cv != null) {
                    g.writeObjectFieldStart("cv");
                    g.writeNumberField("vm", cv.unconvertedL());
                    g.writeStringField("p", cv.pressureKpa().toPlainString());
                    g.writeStringField("t", cv.temperatureC().toPlainString());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array never fails to take bytes
        }
        return out.toByteArray();
    }

    public byte[] encode(BatchAck ack) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("gw", ack.gatewayId());
            g.writeNumberField("p", ack.partition());
            g.writeNumberField("first", ack.firstSeq());
            g.writeNumberField("last", ack.lastSeq());
            g.writeNumberField("n", ack.count());
            if (!ack.rejected().isEmpty()) {
                g.writeArrayFieldStart("rej"); // optional: readings the store refused for good
                for (var r : new java.util.TreeMap<>(ack.rejected()).entrySet()) {
                    g.writeStartObject();
                    g.writeNumberField("s", r.getKey());
                    g.writeStringField("why", r.getValue());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A "not now" on the acknowledgement topic: {@code {"v":1,"gw":…,"p":…,"first":…,"last":…,"retry_ms":…,"why":…}}.
     * It has no {@code n}, so a gateway that only knows acknowledgements rejects it instead of deleting the batch.
     */
    public byte[] encode(BatchNack nack) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("gw", nack.gatewayId());
            g.writeNumberField("p", nack.partition());
            g.writeNumberField("first", nack.firstSeq());
            g.writeNumberField("last", nack.lastSeq());
            g.writeNumberField("retry_ms", nack.retryIn().toMillis());
            g.writeStringField("why", nack.reason());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code {"v":1,"engine":"…","p":[0,1,…]}} on the ready topic. */
    public byte[] encode(EngineReady ready) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("engine", ready.engineId());
            g.writeArrayFieldStart("p");
            for (int p : new java.util.TreeSet<>(ready.partitions())) g.writeNumber(p);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public EngineReady decodeReady(byte[] payload) throws WireFormatException {
        JsonNode root = parse(payload);
        JsonNode ps = root.get("p");
        if (ps == null || !ps.isArray()) throw new WireFormatException("p: expected an array of partitions");
        java.util.Set<Integer> partitions = new java.util.HashSet<>();
        for (JsonNode p : ps) {
            if (!p.isInt() || p.intValue() < 0) throw new WireFormatException("p: expected partition numbers");
            partitions.add(p.intValue());
        }
        try {
            return new EngineReady(text(root, "engine"), partitions);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(e.getMessage(), e);
        }
    }

    public byte[] encode(GatewayAlarm alarm) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("gw", alarm.gatewayId());
            g.writeStringField("alarm", alarm.id());
            g.writeStringField("kind", alarm.kind());
            g.writeStringField("subject", alarm.subject());
            g.writeStringField("detail", alarm.detail());
            g.writeNumberField("t", alarm.at().toEpochMilli());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public GatewayAlarm decodeAlarm(byte[] payload) throws WireFormatException {
        JsonNode root = parse(payload);
        try {
            return new GatewayAlarm(text(root, "gw"), text(root, "alarm"), text(root, "kind"), text(root, "subject"),
                    text(root, "detail"), millis(root, "", "t"));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(e.getMessage(), e);
        }
    }

    /** Has no {@code p}: a gateway that knows only batch acknowledgements rejects it. */
    public byte[] encode(AlarmAck ack) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("gw", ack.gatewayId());
            g.writeStringField("alarm", ack.alarmId());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What arrives on a gateway's acknowledgement topic: a {@link BatchAck}, a {@link BatchNack} or an {@link AlarmAck}. */
    public Object decodeReply(byte[] payload) throws WireFormatException {
        JsonNode root = parse(payload);
        if (root.get("alarm") != null) {
            try {
                return new AlarmAck(text(root, "gw"), text(root, "alarm"));
            } catch (IllegalArgumentException e) {
                throw new WireFormatException(e.getMessage(), e);
            }
        }
        if (root.get("retry_ms") == null) return decodeAck(payload);
        try {
            return new BatchNack(text(root, "gw"), (int) number(root, "", "p"), number(root, "", "first"),
                    number(root, "", "last"), java.time.Duration.ofMillis(number(root, "", "retry_ms")),
                    root.hasNonNull("why") ? root.get("why").asText() : "");
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(e.getMessage(), e);
        }
    }

    public ReadingBatch decodeBatch(byte[] payload) throws WireFormatException {
        JsonNode root = parse(payload);
        JsonNode rs = root.get("r");
        if (rs == null || !rs.isArray() || rs.isEmpty()) throw new WireFormatException("r: expected a non-empty array");
        if (rs.size() > MAX_READINGS) throw new WireFormatException("r: more than " + MAX_READINGS + " readings");
        String gw = text(root, "gw");
        List<BatchEntry> entries = new ArrayList<>(rs.size());
        for (int i = 0; i < rs.size(); i++) {
            JsonNode n = rs.get(i);
            String at = "r[" + i + "].";
            try {
                EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
                JsonNode f = n.get("f");
                if (f != null) {
                    if (!f.isArray()) throw new WireFormatException(at + "f: expected an array of flag names");
                    for (JsonNode name : f) flags.add(ReadingFlag.valueOf(name.asText()));
                }
                JsonNode mt = n.get("mt");
                Reading r = new Reading(text(n, at + "m", "m"), millis(n, at, "t"), millis(n, at, "rt"),
                        number(n, at, "l"), ReadingSource.valueOf(text(n, at + "src", "src")), flags,
                        (int) number(n, at, "st"), mt == null || mt.isNull() ? null : millis(n, at, "mt"),
                        converter(n.get("cv"), at + "cv."));
                entries.add(new BatchEntry(number(n, at, "s"), r));
            } catch (IllegalArgumentException e) {
                throw new WireFormatException(at.substring(0, at.length() - 1) + ": " + e.getMessage(), e);
            }
        }
        try {
            return new ReadingBatch(gw, (int) number(root, "", "p"), number(root, "", "first"), number(root, "", "last"),
                    millis(root, "", "sent"), entries);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(e.getMessage(), e);
        }
    }

    public BatchAck decodeAck(byte[] payload) throws WireFormatException {
        JsonNode root = parse(payload);
        try {
            java.util.Map<Long, String> rejected = new java.util.HashMap<>();
            JsonNode rej = root.get("rej");
            if (rej != null) {
                if (!rej.isArray()) throw new WireFormatException("rej: expected an array");
                for (int i = 0; i < rej.size(); i++) {
                    rejected.put(number(rej.get(i), "rej[" + i + "].", "s"), text(rej.get(i), "rej[" + i + "].why", "why"));
                }
            }
            return new BatchAck(text(root, "gw"), (int) number(root, "", "p"), number(root, "", "first"),
                    number(root, "", "last"), (int) number(root, "", "n"), rejected);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(e.getMessage(), e);
        }
    }

    private JsonNode parse(byte[] payload) throws WireFormatException {
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new WireFormatException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WireFormatException("unreadable: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new WireFormatException("expected a JSON object");
        JsonNode v = root.get("v");
        if (v == null || !v.isInt()) throw new WireFormatException("v: expected the format version");
        if (v.intValue() != VERSION) {
            throw new WireFormatException("unsupported format version " + v.intValue() + " (this engine reads " + VERSION + ")");
        }
        return root;
    }

    private static ConverterValues converter(JsonNode cv, String at) throws WireFormatException {
        if (cv == null || cv.isNull()) return null;
        if (!cv.isObject()) throw new WireFormatException(at.substring(0, at.length() - 1) + ": expected an object");
        try {
            return new ConverterValues(number(cv, at, "vm"), new BigDecimal(text(cv, at + "p", "p")),
                    new BigDecimal(text(cv, at + "t", "t")));
        } catch (NumberFormatException e) {
            throw new WireFormatException(at + "p/t: expected decimal strings", e);
        }
    }

    private static String text(JsonNode n, String field) throws WireFormatException {
        return text(n, field, field);
    }

    private static String text(JsonNode n, String path, String field) throws WireFormatException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw new WireFormatException(path + ": expected a string");
        return v.asText();
    }

    private static long number(JsonNode n, String at, String field) throws WireFormatException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new WireFormatException(at + field + ": expected an integer");
        }
        return v.longValue();
    }

    private static Instant millis(JsonNode n, String at, String field) throws WireFormatException {
        return Instant.ofEpochMilli(number(n, at, field));
    }
}
