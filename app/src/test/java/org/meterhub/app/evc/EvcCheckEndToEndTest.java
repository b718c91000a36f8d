package org.meterhub.app.evc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.nio.NioEventLoopGroup;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.evc.EvcSample;
import org.meterhub.engine.evc.JdbcEvcRepository;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.JdbcValidationRepository;
import org.meterhub.engine.vee.ValidationFlag;
import org.meterhub.simulators.clock.HandClock;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.ModbusTcpSlave;
import org.meterhub.simulators.modbus.SimulatedEvc;

/**
 * Two simulated electronic volume converters behind a Modbus TCP port on loopback, polled by the
 * single-box gateway built from a gateway YAML (as {@code meterhub gateway} builds it): readings go
 * through the journal into the engine, whose conversion check runs on every converter window. The
 * healthy converter raises nothing; the one whose conversion temperature drifts (1 K an hour) is
 * flagged from the first window beyond the file's 0.5 % and raises exactly one CONVERSION_ERROR alarm
 * with the numbers. Time is a hand clock shared by the simulators and the gateway: each step moves it
 * 15 minutes and reads both converters through the poller, then waits until the store has the readings.
 */
class EvcCheckEndToEndTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant START = Instant.parse("2026-11-24T02:00:00Z"); // 10:00 in Shanghai
    private static final int QUARTERS = 16;
    private static final BigDecimal TOLERANCE = new BigDecimal("0.5");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aDriftingConverterRaisesExactlyTheConversionAlarmOnceBeyondTheToleranceAndAHealthyOneNothing() throws Exception {
        HandClock clock = new HandClock(START);
        SimulatedEvc healthy = new SimulatedEvc(1, 2_000_000, 2_080_000, 30_000, clock, ZONE, 11);
        SimulatedEvc drifting = new SimulatedEvc(2, 5_000_000, 5_200_000, 30_000, clock, ZONE, 12);
        drifting.driftConversionTemperature(10); // 0.1 K × 10 = 1 K an hour, from START
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        ModbusTcpSlave slave = new ModbusTcpSlave(ModbusTcpSlave.Mode.TCP,
                new ModbusResponder(List.of(healthy, drifting), 0, 3), WireModel.instant());
        InetSocketAddress at = slave.start(simGroup, "127.0.0.1", 0);
        String url = "jdbc:sqlite:" + dir.resolve("mh.db");
        String yaml = """
                dtu:
                  listen: 127.0.0.1:0
                poll:
                  interval: 1h
                  jitter: 0s
                  timeout: 30s
                  retries: 2
                  retry-backoff: 20ms
                journal:
                  path: %s
                admin:
                  enabled: false
                modbus:
                  - connect: 127.0.0.1:%d
                    transport: tcp
                    meters:
                      - id: EVC-1
                        unit: 1
                        base-reading-l: 2080000
                      - id: EVC-2
                        unit: 2
                        base-reading-l: 5200000
                evc:
                  tolerance-percent: 0.5
                  base-pressure-kpa: 101.325
                  base-temperature-c: 20
                  min-volume-l: 1000
                """.formatted(dir.resolve("journal.db"), at.getPort());
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
        List<Alarm> published = Collections.synchronizedList(new ArrayList<>());
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            SingleBox.registerMeters(store, cfg, START.minusSeconds(3600));
            for (String id : List.of("EVC-1", "EVC-2")) {
                // commercial converters on a G40 meter (Qmax 65 m³/h): their flow is no spike
                MeterInfo info = store.meter(id).orElseThrow();
                store.saveProfile(new MeterProfile(info, "EVC", null, "1.0", 65_000L, null, null, null, MeterRole.CUSTOMER));
            }
            IngestRules rules = SingleBox.rules(cfg, url, published::add, clock);
            try (SingleBox box = new SingleBox(cfg, store, rules, clock, SingleBox.pollSettings(cfg.poll()), 1)) {
                box.start();
                readBoth(box, store, clock.instant());
                for (int q = 1; q <= QUARTERS; q++) {
                    clock.advance(Duration.ofMinutes(15));
                    readBoth(box, store, clock.instant());
                }
                assertThat(box.finish(Duration.ofMinutes(5))).isTrue();
                assertThat(box.ingestStats().conversionChecks()).as("one window per converter and quarter")
                        .isEqualTo(2L * QUARTERS);
            }

            Instant end = clock.instant().plusSeconds(1);
            try (SqlDatabase db = SqlDatabase.open(url)) {
                JdbcValidationRepository flags = new JdbcValidationRepository(db);
                JdbcEvcRepository samples = new JdbcEvcRepository(db);

                // The healthy converter: every window within a fifth of the tolerance, no flag, no alarm.
                Map<Instant, BigDecimal> healthyWindows = recompute(store.readings("EVC-1", START, end),
                        samples.samples("EVC-1", START, end));
                assertThat(healthyWindows).hasSize(QUARTERS);
                assertThat(healthyWindows.values()).allSatisfy(d -> assertThat(d.abs()).isLessThan(new BigDecimal("0.1")));
                assertThat(flags.flags("EVC-1", START, end)).isEmpty();

                // The drifting one: flagged on exactly the windows the numbers put beyond 0.5 %.
                Map<Instant, BigDecimal> windows = recompute(store.readings("EVC-2", START, end),
                        samples.samples("EVC-2", START, end));
                assertThat(windows).hasSize(QUARTERS);
                List<Instant> beyond = windows.entrySet().stream().filter(e -> e.getValue().abs().compareTo(TOLERANCE) > 0)
                        .map(Map.Entry::getKey).toList();
                List<ValidationFlag> found = flags.flags("EVC-2", START, end);
                assertThat(found).extracting(ValidationFlag::kind).containsOnly(FlagKind.CONVERSION_ERROR);
                assertThat(found).extracting(ValidationFlag::readingTime).containsExactlyElementsOf(beyond);
                // the drift decides, not noise: windows ending at ≤ 1.0 K of drift pass, those starting at ≥ 1.75 K fail
                for (Map.Entry<Instant, BigDecimal> w : windows.entrySet()) {
                    Instant endOf = w.getKey();
                    if (drifting.conversionTemperatureErrorDeciK(endOf) <= 10) assertThat(beyond).doesNotContain(endOf);
                    if (drifting.conversionTemperatureErrorDeciK(endOf.minusSeconds(900)) >= 18) assertThat(beyond).contains(endOf);
                }
                assertThat(beyond).isNotEmpty();
                Instant first = beyond.get(0);
                assertThat(beyond).as("the drift only grows: every window after the first failed one fails")
                        .containsExactlyElementsOf(windows.keySet().stream().filter(t -> !t.isBefore(first)).toList());

                // Exactly one alarm in the whole store, raised at the first failed window, with its numbers.
                List<Map<String, Object>> alarmRows = store.alarms(null, 100).orElseThrow();
                assertThat(alarmRows).singleElement().satisfies(a -> {
                    assertThat(a.get("kind")).isEqualTo(AlarmKind.CONVERSION_ERROR.name());
                    assertThat(a.get("subject")).isEqualTo("EVC-2");
                    assertThat(a.get("observed_at")).isEqualTo(first);
                });
                assertThat(published).singleElement().satisfies(a -> {
                    assertThat(a.kind()).isEqualTo(AlarmKind.CONVERSION_ERROR);
                    assertThat(a.detail()).isEqualTo("volume conversion error: " + found.get(0).reason());
                });
                String reason = found.get(0).reason();
                Window w = window(store.readings("EVC-2", START, end), samples.samples("EVC-2", START, end), first);
                assertThat(reason).contains("reported base volume Vb " + m3(w.baseL) + " m³")
                        .contains("computed Vm·(p/pb)·(Tb/T) " + w.expected.setScale(3, RoundingMode.HALF_UP).toPlainString() + " m³")
                        .contains("measured Vm " + m3(w.lineL) + " m³")
                        .contains("deviation " + w.deviation.toPlainString() + " %, beyond ±0.5 %")
                        .contains(" kPa, T ").contains("(pb 101.325 kPa, Tb 20 °C;");
            }

            // What an operator sees with the commands.
            String from = "2026-11-24T10:00";
            String to = "2026-11-24T15:00";
            JsonNode readings = json("query", "readings", "--meter", "EVC-2", "--from", from, "--to", to, "--store", url);
            int flagged = 0;
            for (JsonNode r : readings.get("readings")) {
                if (r.get("validation").toString().contains("conversion_error")) flagged++;
            }
            JsonNode flagRows = json("query", "flags", "--meter", "EVC-2", "--from", from, "--to", to, "--store", url);
            List<String> reasons = new ArrayList<>();
            for (JsonNode f : flagRows.get("flags")) {
                if (f.get("kind").asText().equals("validation")) reasons.add(f.get("reason").asText());
            }
            TestCli.Run alarms = TestCli.meterhub("alarms", "list", "--store", url);
            assertThat(alarms.exit()).isZero();
            assertThat(alarms.out()).contains("CONVERSION_ERROR").contains("EVC-2").doesNotContain("EVC-1");
            try (SqlDatabase db = SqlDatabase.open(url)) {
                List<ValidationFlag> found = new JdbcValidationRepository(db).flags("EVC-2", START, clock.instant().plusSeconds(1));
                assertThat(flagged).isEqualTo(found.size());
                assertThat(reasons).containsExactlyElementsOf(found.stream().map(ValidationFlag::reason).toList());
            }
            JsonNode healthyReadings = json("query", "readings", "--meter", "EVC-1", "--from", from, "--to", to, "--store", url);
            assertThat(healthyReadings.get("readings")).hasSize(QUARTERS + 1)
                    .allSatisfy(r -> assertThat(r.get("validation")).isEmpty());
        } finally {
            slave.close();
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Reads both converters now through their bus's poller and waits until the store holds both readings. */
    private static void readBoth(SingleBox box, TimeSeriesStore store, Instant now) throws Exception {
        for (String id : List.of("EVC-1", "EVC-2")) {
            Reading r = box.readNow(id).get(5, TimeUnit.MINUTES);
            assertThat(r.time()).isEqualTo(now);
            assertThat(r.converter()).as("converter values ride with the reading").isNotNull();
        }
        waitUntil(() -> List.of("EVC-1", "EVC-2").stream().allMatch(id ->
                store.lastReading(id).map(x -> x.time().equals(now)).orElse(false)), Duration.ofSeconds(20));
    }

    private static void waitUntil(BooleanSupplier condition, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + max).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private record Window(long lineL, long baseL, BigDecimal expected, BigDecimal deviation) {
    }

    /** Deviation (%) of each window, by its end: the check recomputed from the stored registers and conditions. */
    private static Map<Instant, BigDecimal> recompute(List<Reading> readings, List<EvcSample> samples) {
        assertThat(samples).hasSameSizeAs(readings);
        Map<Instant, BigDecimal> out = new LinkedHashMap<>();
        for (int i = 1; i < samples.size(); i++) {
            out.put(samples.get(i).time(), window(readings, samples, samples.get(i).time()).deviation);
        }
        return out;
    }

    /** The window ending at {@code end}: one poll step, since each quarter holds far more than 1 000 L. */
    private static Window window(List<Reading> readings, List<EvcSample> samples, Instant end) {
        int i = 0;
        while (!samples.get(i).time().equals(end)) i++;
        EvcSample a = samples.get(i - 1);
        EvcSample b = samples.get(i);
        assertThat(readings.get(i).volumeL()).as("the sample's Vb is the reading's register").isEqualTo(b.baseL());
        long line = b.unconvertedL() - a.unconvertedL();
        long base = b.baseL() - a.baseL();
        assertThat(line).isGreaterThan(1_000);
        MathContext mc = MathContext.DECIMAL64;
        BigDecimal p = a.pressureKpa().add(b.pressureKpa()).divide(BigDecimal.valueOf(2), mc);
        BigDecimal kelvin = a.temperatureC().add(b.temperatureC()).divide(BigDecimal.valueOf(2), mc).add(new BigDecimal("273.15"));
        BigDecimal expected = BigDecimal.valueOf(line, 3).multiply(p).multiply(new BigDecimal("293.15"))
                .divide(new BigDecimal("101.325").multiply(kelvin), mc);
        BigDecimal deviation = BigDecimal.valueOf(base, 3).subtract(expected).multiply(BigDecimal.valueOf(100))
                .divide(expected, 4, RoundingMode.HALF_UP);
        return new Window(line, base, expected, deviation);
    }

    private static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }

    private static JsonNode json(String... args) throws Exception {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--format";
        all[args.length + 1] = "json";
        TestCli.Run r = TestCli.meterhub(all);
        assertThat(r.exit()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }
}
