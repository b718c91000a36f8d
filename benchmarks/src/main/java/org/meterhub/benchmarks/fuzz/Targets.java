package org.meterhub.benchmarks.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.Params;
import org.meterhub.engine.importing.ImportException;
import org.meterhub.engine.importing.ReadingsCsv;
import org.meterhub.gateway.dtu.DtuRegistrationDecoder;
import org.meterhub.gateway.dtu.DtuSettings;
import org.meterhub.gateway.modbus.ModbusRtuReply;
import org.meterhub.gateway.modbus.ModbusRtuReplyDecoder;
import org.meterhub.gateway.mqtt.UplinkParser;
import org.meterhub.gateway.mqtt.UplinkRejected;
import org.meterhub.gateway.mqtt.UplinkSettings;
import org.meterhub.protocol.cjt188.Cjt188FrameDecoder;
import org.meterhub.protocol.cjt188.Cjt188MessageDecoder;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.meterhub.protocol.modbus.RegisterProfiles;

/** Every decoder that takes bytes from outside: the southbound wire, MQTT uplinks, imported files, HTTP queries. */
public final class Targets {
    private static final ZoneId ZONE = ZoneId.of("Europe/Athens"); // has daylight saving: gaps and repeated hours

    private Targets() {
    }

    public static List<FuzzTarget> all() {
        return List.of(cjt188(), modbusRtu(), dtuRegistration(), mqttUplink(), csvImport(), httpParams());
    }

    public static FuzzTarget byName(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fuzz target " + name + "; targets: "
                        + all().stream().map(FuzzTarget::name).toList()));
    }

    /** CJ/T 188 bytes from a DTU tunnel or serial line: frame decoder (with heartbeats) then message decoder. */
    static FuzzTarget cjt188() {
        List<byte[]> seeds = hex(
                "FE FE FE 68 AA AA AA AA AA AA AA AA 03 03 81 0A 00 49 16",
                "68 10 01 00 00 05 08 00 00 83 03 81 0A 00 97 16",
                "68 10 01 00 00 05 08 00 00 01 03 1F 90 00 39 16",
                "FE FE 68 30 01 00 00 05 08 00 00 81 16 1F 90 01 56 34 12 00 2C 00 00 12 00 2C 00 00 08 23 11 26 20 05 00 7A 16",
                "68 30 01 00 00 05 08 00 00 81 16 90 1F 02 5A 34 12 00 2C 00 00 12 00 2C 00 00 00 00 00 00 00 00 00 F8 16",
                "48 42 0A 68 10 01 00 00 05 08 00 00 83 03 81 0A 00 97 16 48 42 0A");
        return netty("cjt188", seeds, () -> new ChannelHandler[] {
                new Cjt188FrameDecoder(4096).heartbeat("HB\n".getBytes(StandardCharsets.US_ASCII)), new Cjt188MessageDecoder()},
                msg -> { }, TooLongFrameException.class);
    }

    /** Modbus RTU replies from a converter behind a DTU or an RTU-over-TCP link, then their registers through the evc-basic map. */
    static FuzzTarget modbusRtu() {
        RegisterProfile profile = RegisterProfiles.builtIn("evc-basic");
        List<byte[]> seeds = new ArrayList<>();
        for (RegisterProfile.Block block : profile.blocks()) {
            int[] words = new int[block.count()];
            for (int i = 0; i < words.length; i++) words[i] = (i * 7919) & 0xFFFF;
            seeds.add(ModbusRtu.readResponse(1, block.function(), words));
        }
        seeds.add(ModbusRtu.exceptionResponse(1, ModbusRtu.READ_HOLDING, ModbusRtu.ILLEGAL_DATA_ADDRESS));
        seeds.add(java.util.HexFormat.of().parseHex("0103FA000103"));
        return netty("modbus-rtu", seeds, () -> new ChannelHandler[] {new ModbusRtuReplyDecoder(4096)}, msg -> {
            if (msg instanceof ModbusRtuReply r && r.exceptionCode() == 0) {
                for (RegisterProfile.Block block : profile.blocks()) {
                    if (block.function() == r.function() && block.count() == r.registers().length) {
                        RegisterDecoder.decode(profile, block, r.registers());
                    }
                }
            }
        }, TooLongFrameException.class);
    }

    /** The first line a modem sends after dialling in (protocols.md §2), and the tunnel bytes behind it. */
    static FuzzTarget dtuRegistration() {
        List<byte[]> seeds = text("DTU-0001\n", "DTU-0001\r\n", "DTU-0001:correct-horse-battery\r\n\u00FE\u00FEh",
                "DTU_7:89860012345678901234\nHB\n", "HB\n");
        return netty("dtu-registration", seeds, () -> new ChannelHandler[] {new DtuRegistrationDecoder(DtuSettings.DEFAULT_ID,
                DtuSettings.defaults("127.0.0.1", 0).maxRegistrationBytes(), (ctx, r) -> { }, (ctx, reason) -> ctx.close())},
                msg -> { }, null);
    }

    /** An NB-IoT meter's JSON uplink (protocols.md §3). */
    static FuzzTarget mqttUplink() {
        UplinkParser parser = new UplinkParser(UplinkSettings.defaults());
        List<byte[]> seeds = text(
                "{\"meter\":\"30001234567890\",\"seq\":1842,\"ts\":\"2026-11-23T08:00:00+08:00\",\"volume_m3\":\"1234.567\","
                        + "\"balance_m3\":\"12.300\",\"valve\":\"open\",\"alarms\":[\"low_balance\"],\"battery_v\":3.55}",
                "{\"meter\":\"30001234567890\",\"seq\":7,\"ts\":\"2026-11-23T00:00:00Z\",\"volume_m3\":\"0.001\",\"balance_cny\":\"-3.50\","
                        + "\"valve\":\"closed\",\"alarms\":[\"leak\",\"tamper\",\"overdraft\"],\"unknown\":{\"a\":[1,2,{}]}}",
                "{\"meter\":\"1\",\"seq\":4294967295,\"ts\":\"2026-11-23T08:00:00+08:00\",\"volume_m3\":\"99999.999\","
                        + "\"history\":[{\"ts\":\"2026-11-23T07:00:00+08:00\",\"volume_m3\":\"99999.000\"}]}");
        return new FuzzTarget() {
            public String name() {
                return "mqtt-uplink";
            }

            public List<byte[]> seeds() {
                return seeds;
            }

            public void accept(byte[] input) throws Exception {
                parser.parse(input);
            }

            public boolean isRejection(Throwable t) {
                return t instanceof UplinkRejected;
            }
        };
    }

    /** A utility's readings file (`import readings`): header, rows, times in a zone with daylight saving. */
    static FuzzTarget csvImport() {
        List<byte[]> seeds = text(
                "meter,time,register,unit\n30000000000001,2026-10-25T03:30,1234.567,m3\n30000000000001,2026-10-25T03:30,1234570,L\n",
                "\uFEFFmeter,time,register,unit\n\"A,1\",2026-03-29 03:30,\"1,5\",l\nM2,2026-11-24T08:00:00+08:00,0,M3\n",
                "time,unit,register,meter,extra\n2026-11-24T08:00:00Z,L,123,M-1,x\n");
        return new FuzzTarget() {
            public String name() {
                return "csv-import";
            }

            public List<byte[]> seeds() {
                return seeds;
            }

            public void accept(byte[] input) throws Exception {
                String[] lines = new String(input, StandardCharsets.UTF_8).split("\r?\n", -1);
                ReadingsCsv csv = ReadingsCsv.header("fuzz.csv", lines[0], ReadingsCsv.columns(null), null);
                long previous = Long.MIN_VALUE;
                for (int i = 1; i < lines.length; i++) {
                    try {
                        ReadingsCsv.Row row = csv.row(lines[i]);
                        previous = ReadingsCsv.time(row.time(), ZONE, previous, new boolean[1]).toEpochMilli();
                    } catch (ReadingsCsv.RowException rejectedRow) {
                        // counted and written to the rejects file by the import; the file goes on
                    }
                }
            }

            public boolean isRejection(Throwable t) {
                return t instanceof ImportException;
            }
        };
    }

    /** The query string of an HTTP API request, through every kind of parameter the routes read. */
    static FuzzTarget httpParams() {
        List<byte[]> seeds = text("meter=30000000000001&from=2026-11-01&to=2026-12-01T00:00%2B08:00&step=1d&limit=10",
                "cycle=2026-11&window=24h&at=2026-11-10T10:00&from=2026-11-01&to=2026-11-02", "from=2026-03-29T03:30&to=2026-10-25T03:30&step=1h&q=%E4%B8%AD");
        return new FuzzTarget() {
            public String name() {
                return "http-params";
            }

            public List<byte[]> seeds() {
                return seeds;
            }

            public void accept(byte[] input) {
                Params p = Params.parse(new String(input, StandardCharsets.UTF_8), ZONE);
                p.text("meter");
                p.optionalTime("at");
                p.step("step", org.meterhub.engine.query.Step.DAY);
                p.integer("limit", 10, 1, 1000);
                p.month("cycle", null);
                p.duration("window", Duration.ofHours(24));
                p.describe();
                p.range(Duration.ofDays(366));
            }

            public boolean isRejection(Throwable t) {
                return t instanceof BadParameterException;
            }
        };
    }

    /**
     * A Netty decoder chain in an {@link EmbeddedChannel}. The input arrives in one or two reads (split
     * at a point derived from its content, so a crasher replays the same way) and every buffer must be
     * released afterwards: a leak on hostile input is a finding too.
     */
    private static FuzzTarget netty(String name, List<byte[]> seeds, Supplier<ChannelHandler[]> handlers,
                                    Consumer<Object> onMessage, Class<? extends Throwable> rejection) {
        return new FuzzTarget() {
            public String name() {
                return name;
            }

            public List<byte[]> seeds() {
                return seeds;
            }

            public void accept(byte[] input) {
                EmbeddedChannel ch = new EmbeddedChannel(handlers.get());
                int cut = (Arrays.hashCode(input) & 1) == 1 && input.length > 1 ? input.length / 2 : input.length;
                // Unpooled.buffer(), not copiedBuffer(): an empty copy is the shared EMPTY_BUFFER, never released
                ByteBuf first = Unpooled.buffer(Math.max(cut, 1)).writeBytes(input, 0, cut);
                ByteBuf second = Unpooled.buffer(Math.max(input.length - cut, 1)).writeBytes(input, cut, input.length - cut);
                boolean secondWritten = false;
                try {
                    ch.writeInbound(first);
                    if (ch.isActive() && second.isReadable()) {
                        secondWritten = true;
                        ch.writeInbound(second);
                    }
                    Object msg;
                    while ((msg = ch.readInbound()) != null) {
                        try {
                            onMessage.accept(msg);
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }
                } finally {
                    ch.finishAndReleaseAll();
                    if (!secondWritten) second.release();
                    if (first.refCnt() != 0 || second.refCnt() != 0) {
                        throw new IllegalStateException("decoder kept an input buffer (refCnt " + first.refCnt() + ", "
                                + second.refCnt() + ")");
                    }
                }
            }

            public boolean isRejection(Throwable t) {
                return rejection != null && rejection.isInstance(t);
            }
        };
    }

    private static List<byte[]> hex(String... frames) {
        return Arrays.stream(frames).map(f -> java.util.HexFormat.of().parseHex(f.replace(" ", ""))).toList();
    }

    private static List<byte[]> text(String... texts) {
        return Arrays.stream(texts).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
