package org.meterhub.gateway.modbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.meterhub.protocol.modbus.RegisterProfiles;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.ModbusTcpSlave;
import org.meterhub.simulators.modbus.SimulatedEvc;

/**
 * Volumes presented as IEEE floats: the simulated converter with a float profile over Modbus TCP and
 * RTU-over-TCP, and a pymodbus server (Debian {@code python3-pymodbus}) whose registers Python's own
 * {@code struct} packed, with a map the gateway has never seen. Exact litres within the float's range;
 * PRECISION_LOSS beyond it.
 */
class FloatVolumeRegistersTest {
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** A converter whose firmware is little-endian: Vm as float64 high word first, Vb as float32 low word first. */
    static final String EVC_FLOAT = """
            # a flow computer presenting its totals as floats
            name,address,function,type,order,scale,unit,meaning,bits,description,resolution
            vm,0,3,float64,ABCD,1,m3,unconverted-volume,,unconverted volume Vm,0.001
            vb,4,3,float32,CDAB,1,m3,volume,,converted volume Vb,0.001
            qm,6,3,float32,CDAB,1,m3/h,flow,,actual flow,
            pressure,8,3,float32,CDAB,1,kPa,pressure,,absolute pressure,
            temperature,10,3,float32,CDAB,1,°C,temperature,,gas temperature,
            status,12,3,uint16,,1,,status,0=low-battery,status bits,
            time,13,3,uint32,CDAB,1,s,meter-time,,meter time,
            """;
    static EventLoopGroup group;
    static ExecutorService io;

    @BeforeAll
    static void start() {
        group = new NioEventLoopGroup(1);
        io = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownNow();
    }

    static ModbusSession session(ModbusLink link) {
        return new ModbusSession(link, Duration.ofSeconds(30), new ModbusReadingMapper(CLOCK, Duration.ofMinutes(10)), io,
                new ModbusSession.Counters());
    }

    static MeterEndpoint meter(String id, int unit, RegisterProfile profile) {
        return new MeterEndpoint(id, String.valueOf(unit), Medium.GAS, new ModbusOptions(unit, profile));
    }

    @Test
    void theSimulatedConverterWithFloatVolumesIsReadToTheLitre(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("evc-float.csv");
        Files.writeString(csv, EVC_FLOAT);
        RegisterProfile profile = RegisterProfiles.load(csv.toString());
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        for (ModbusTcpSlave.Mode mode : ModbusTcpSlave.Mode.values()) {
            // 12 345.678 m³ of Vb is inside float32's exact range at 0.001 m³; 20 000.001 m³ is not (steps of 1.95 L there)
            SimulatedEvc exact = new SimulatedEvc(profile, 7, 9_876_543_210L, 12_345_678L, 30_000, CLOCK, zone, 1);
            SimulatedEvc beyond = new SimulatedEvc(profile, 8, 21_000_000L, 20_000_001L, 30_000, CLOCK, zone, 2);
            try (ModbusTcpSlave slave = new ModbusTcpSlave(mode, new ModbusResponder(List.of(exact, beyond), 0, 3),
                    WireModel.instant())) {
                InetSocketAddress at = slave.start(group, "127.0.0.1", 0);
                ModbusSession s = session(mode == ModbusTcpSlave.Mode.TCP ? new ModbusLink.Tcp("127.0.0.1", at.getPort())
                        : new ModbusLink.RtuOverTcp("127.0.0.1", at.getPort()));
                ModbusReadout r = s.readout(meter("EVC-F7", 7, profile)).get(5, TimeUnit.MINUTES);
                assertThat(r.reading().volumeL()).as(mode.name()).isEqualTo(12_345_678L).isEqualTo(exact.vbLitres());
                assertThat(r.values().get("vm").litres()).isEqualTo(9_876_543_210L);
                assertThat(r.reading().converter().unconvertedL()).isEqualTo(9_876_543_210L);
                assertThat(r.reading().flags()).doesNotContain(ReadingFlag.PRECISION_LOSS);
                assertThat(r.reading().time()).isEqualTo(NOW);

                ModbusReadout far = s.readout(meter("EVC-F8", 8, profile)).get(5, TimeUnit.MINUTES);
                assertThat(far.reading().flags()).contains(ReadingFlag.PRECISION_LOSS);
                // the nearest float is 20000.001953125 m³: the nearest litre step to it, flagged; its neighbours look the same
                assertThat(far.reading().volumeL()).isEqualTo(20_000_002L);
                s.close();
            }
        }
    }

    @Test
    void aPymodbusServerWithAnUnseenMap(@TempDir Path dir) throws Exception {
        // input registers from 300; values packed by Python's struct, not by meterhub's encoder
        Path csv = dir.resolve("unseen.csv");
        Files.writeString(csv, """
                name,address,function,type,order,scale,unit,meaning,bits,description,resolution
                total,300,4,float32,low-first,1,m3,volume,,totaliser (low word first),0.001
                flow,302,4,float32,low-first,1,m3/h,flow,,,
                vm,304,4,float64,DCBA,1,m3,unconverted-volume,,little-endian double,0.001
                alarms,308,4,uint16,,1,,status,2=low-battery,,
                """);
        RegisterProfile profile = RegisterProfiles.load(csv.toString());
        int port = ModbusForeignPeersTest.freePort();
        Path script = dir.resolve("float-server.py");
        Files.writeString(script, """
                import struct, sys
                from pymodbus.server import StartTcpServer
                from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
                def f32_low_first(v):
                    hi, lo = struct.unpack('>HH', struct.pack('>f', v)); return [lo, hi]
                def f64_little_endian(v):
                    return list(struct.unpack('>HHHH', struct.pack('<d', v)))  # the double's bytes on the wire, least significant first
                def unit(total, vm, alarms):
                    regs = [0] * 300 + f32_low_first(total) + f32_low_first(2.5) + f64_little_endian(vm) + [alarms]
                    return ModbusSlaveContext(ir=ModbusSequentialDataBlock(0, regs), zero_mode=True)
                slaves = {1: unit(12345.678, 8765432.1, 0), 2: unit(123456.789, 8765432.1, 4)}
                StartTcpServer(context=ModbusServerContext(slaves=slaves, single=False), address=("127.0.0.1", int(sys.argv[1])))
                """);
        Process server = new ProcessBuilder("/usr/bin/python3", script.toString(), String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            ModbusForeignPeersTest.waitForPort(port, server);
            ModbusSession s = session(new ModbusLink.Tcp("127.0.0.1", port));
            ModbusReadout one = s.readout(meter("FC-1", 1, profile)).get(5, TimeUnit.MINUTES);
            assertThat(one.reading().volumeL()).isEqualTo(12_345_678L);
            assertThat(one.values().get("vm").litres()).isEqualTo(8_765_432_100L);
            assertThat(one.values().get("flow").value()).isEqualByComparingTo("2.5");
            assertThat(one.reading().flags()).isEmpty();
            ModbusReadout two = s.readout(meter("FC-2", 2, profile)).get(5, TimeUnit.MINUTES);
            // float32 holds 123456.7890625 (steps of 7.8 L there): the nearest litre step, flagged
            assertThat(two.reading().volumeL()).isEqualTo(123_456_789L);
            assertThat(two.reading().flags()).containsExactlyInAnyOrder(ReadingFlag.PRECISION_LOSS, ReadingFlag.LOW_BATTERY);
            s.close();
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
