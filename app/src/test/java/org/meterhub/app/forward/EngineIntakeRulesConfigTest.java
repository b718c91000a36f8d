package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.importing.MeterSpec;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.FencedStore;
import org.meterhub.engine.intake.LeaseFences;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine;

/**
 * Issue 15: {@code engine-intake --config} and {@code mqtt-gateway --config} take the engine's rule settings from the
 * gateway YAML ({@link org.meterhub.app.config.GatewayConfig#ruleOptions()}), and on the intake's path, through the
 * {@link FencedStore}, the rules see each meter's class, so per-class leak settings apply there too.
 */
class EngineIntakeRulesConfigTest {
    static final ZoneId ATHENS = ZoneId.of("Europe/Athens");

    @Test
    void leakSettingsOfAMeterClassInTheYamlReachTheDetectorsThroughTheFencedStore(@TempDir Path dir) throws Exception {
        // As ImportReadingsCommandTest: three water households leaking 2 L/h from day 30, of classes DN20, DN25 and
        // DN15 (the medium's default class). The YAML turns every flow detector off for DN20 and DN15; DN25 keeps the
        // water defaults. Only DN25 is alarmed, which needs each meter's class: with the basic record (medium only)
        // the fenced store once gave, all three were DN15 and none was alarmed.
        String off = "{medium: water, continuous-hours: 0, night-min-flow-mlph: 0, rise-mlph: 0}";
        Path yaml = write(dir, "gateway.yaml", "zone: Europe/Athens\nleak:\n  classes:\n    DN20: " + off + "\n    dn15: " + off + "\n");
        EngineIntakeCommand cmd = new EngineIntakeCommand();
        new CommandLine(cmd).parseArgs("--config", yaml.toString());
        IngestRules.Options options = cmd.rulesConfig.options(cmd.deadlines);
        assertThat(options.zone()).isEqualTo(ATHENS);

        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        List<String> ids = List.of("A20", "B25", "C15");
        List<String> classes = List.of("DN20", "DN25", "DN15");
        long[] reg = {5_000, 6_000, 7_000};
        Instant t0 = LocalDate.of(2026, 9, 1).atStartOfDay(ATHENS).toInstant();
        Instant leakFrom = t0.plusSeconds((30 * 24 + 10) * 3600L);
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            for (int i = 0; i < ids.size(); i++) {
                MeterSpec spec = MeterSpec.of("water", classes.get(i));
                db.saveProfile(new MeterProfile(new MeterInfo(ids.get(i), Medium.WATER, reg[i], t0, MeterInfo.CJT188_CAPACITY_L),
                        spec.className(), null, null, spec.qmaxLph(), null, null, null, MeterRole.CUSTOMER));
            }
            // As engine-intake wires it: one partition held, appends fenced, rule records to the store.
            LeaseFences fences = new LeaseFences(db, "test-engine", 1);
            fences.take(0);
            FencedStore fenced = new FencedStore(db, fences);
            try (IngestPipeline p = EngineIntakeCommand.pipeline(fenced, url, options)) {
                for (int h = 0; h <= 40 * 24; h++) {
                    Instant t = t0.plusSeconds(h * 3600L);
                    int local = t.atZone(ATHENS).getHour();
                    int use = local == 7 || local == 20 ? 30 : local == 13 ? 6 : 0;
                    for (int i = 0; i < ids.size(); i++) {
                        p.accept(new Reading(ids.get(i), t, t, reg[i], ReadingSource.CJT188, Set.of(), 0));
                        reg[i] += use + (t.isBefore(leakFrom) ? 0 : 2);
                    }
                }
                p.flush();
            }
            assertThat(db.readingCount()).isEqualTo(3L * (40 * 24 + 1));
            assertThat(db.alarms("B25", 10).orElseThrow()).as("DN25: water defaults")
                    .anySatisfy(a -> assertThat(String.valueOf(a.get("kind")))
                            .isIn(AlarmKind.CONTINUOUS_FLOW.name(), AlarmKind.NIGHT_FLOW.name()));
            assertThat(db.alarms("A20", 10).orElseThrow()).as("DN20: its class's settings").isEmpty();
            assertThat(db.alarms("C15", 10).orElseThrow()).as("DN15: its class's settings").isEmpty();
            // what the rules asked: the fenced store answers with the record of the store it wraps
            assertThat(fenced.profile("A20")).get().extracting(MeterProfile::meterType).isEqualTo("DN20");
        }
    }

    @Test
    void aVacantAccountsMeterGetsNoStuckRegisterFlagThroughTheFencedStore(@TempDir Path dir) throws Exception {
        // Two water meters used for two days, then still for 40 days (the stuck-register setting: 30 days). The
        // account of V1 is vacant, that of S1 supplied: only S1's register is stuck. The rules learn which accounts
        // are not supplied from the store; on the intake's path that is the fenced store, which once knew none.
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        Instant t0 = LocalDate.of(2026, 9, 1).atStartOfDay(ATHENS).toInstant();
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            for (String id : List.of("V1", "S1")) {
                db.registerMeter(new MeterInfo(id, Medium.WATER, 1_000, t0, MeterInfo.CJT188_CAPACITY_L));
            }
            db.saveAccount(new Account("ACC-V1", "V1", AccountState.VACANT, CustomerClass.RESIDENTIAL, null, null, t0));
            db.saveAccount(new Account("ACC-S1", "S1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    LocalDate.of(2026, 1, 5), t0));
            LeaseFences fences = new LeaseFences(db, "test-engine", 1);
            fences.take(0);
            FencedStore fenced = new FencedStore(db, fences);
            assertThat(fenced.meterIdsNotSupplied()).containsExactly("V1");
            long register = 1_000;
            try (IngestPipeline p = EngineIntakeCommand.pipeline(fenced, url, IngestRules.Options.defaults())) {
                for (int h = 0; h <= 42 * 24; h++) {
                    Instant t = t0.plusSeconds(h * 3600L);
                    for (String id : List.of("V1", "S1")) {
                        p.accept(new Reading(id, t, t, register, ReadingSource.CJT188, Set.of(), 0));
                    }
                    if (h < 48) register += 10;
                }
                p.flush();
            }
            assertThat(stuckFlags(url, "S1")).as("supplied: stuck after 30 days").isEqualTo(1);
            assertThat(stuckFlags(url, "V1")).as("vacant: not supplied, so not stuck").isZero();
        }
    }

    @Test
    void theFilesVeeStuckAfterDecidesWhetherARegisterIsStuckOnTheIntakePath(@TempDir Path dir) throws Exception {
        // A supplied water meter used for two days, then still for 40 days. With the default stuck-after (30d) its
        // register is flagged stuck once; with vee.stuck-after: 45d from the file engine-intake reads, never.
        Path raised = write(dir, "raised.yaml", "zone: Europe/Athens\nvee:\n  stuck-after: 45d\n");
        EngineIntakeCommand cmd = new EngineIntakeCommand();
        new CommandLine(cmd).parseArgs("--config", raised.toString());
        IngestRules.Options fromFile = cmd.rulesConfig.options(cmd.deadlines);
        assertThat(fromFile.vee().stuckAfter()).isEqualTo(Duration.ofDays(45));
        assertThat(stuckFlagsAfterFortyStillDays(dir.resolve("default.db"), IngestRules.Options.defaults().withZone(ATHENS)))
                .as("default stuck-after 30d").isEqualTo(1);
        assertThat(stuckFlagsAfterFortyStillDays(dir.resolve("raised.db"), fromFile)).as("stuck-after 45d").isZero();
    }

    private static long stuckFlagsAfterFortyStillDays(Path file, IngestRules.Options options) throws Exception {
        String url = "jdbc:sqlite:" + file;
        Instant t0 = LocalDate.of(2026, 9, 1).atStartOfDay(ATHENS).toInstant();
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            db.registerMeter(new MeterInfo("S1", Medium.WATER, 1_000, t0, MeterInfo.CJT188_CAPACITY_L));
            db.saveAccount(new Account("ACC-S1", "S1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    LocalDate.of(2026, 1, 5), t0));
            LeaseFences fences = new LeaseFences(db, "test-engine", 1);
            fences.take(0);
            long register = 1_000;
            try (IngestPipeline p = EngineIntakeCommand.pipeline(new FencedStore(db, fences), url, options)) {
                for (int h = 0; h <= 42 * 24; h++) {
                    Instant t = t0.plusSeconds(h * 3600L);
                    p.accept(new Reading("S1", t, t, register, ReadingSource.CJT188, Set.of(), 0));
                    if (h < 48) register += 10;
                }
                p.flush();
            }
            assertThat(db.readingCount()).isEqualTo(42 * 24 + 1);
        }
        return stuckFlags(url, "S1");
    }

    @Test
    void aBadVeeValueIsOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path negative = write(dir, "negative.yaml", "vee:\n  unit-tolerance-percent: -1\n");
        Path wrongType = write(dir, "type.yaml", "vee:\n  stuck-after: thirty days\n");
        Path unknown = write(dir, "unknown.yaml", "vee:\n  spike-factor: 2\n");
        for (String command : List.of("engine-intake", "mqtt-gateway")) {
            for (Object[] c : List.of(new Object[] {negative, "vee.unit-tolerance-percent: expected an integer from 0 to 50, got -1"},
                    new Object[] {wrongType, "vee.stuck-after: expected a duration such as"},
                    new Object[] {unknown, "unknown field \"spike-factor\"; expected one of: max-clock-skew, stuck-after,"
                            + " unit-tolerance-percent"})) {
                TestCli.Run r = TestCli.meterhub(command, "--config", c[0].toString(), "--store",
                        "jdbc:sqlite:" + dir.resolve("x.db"), "--alarms-mqtt", "none");
                assertThat(r.exit()).as(command + " " + c[0]).isNotZero();
                assertThat(r.err().strip()).as(command + " " + c[0]).doesNotContain("\n")
                        .contains(((Path) c[0]).getFileName() + ":").contains((String) c[1]);
            }
        }
    }

    private static long stuckFlags(String url, String meter) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
             java.sql.PreparedStatement st = c.prepareStatement(
                     "select count(*) from validation_flags where meter_id = ? and kind = 'STUCK_REGISTER'")) {
            st.setString(1, meter);
            try (java.sql.ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void withoutConfigTheRulesAreTheDefaultsAndDeadlinesComeFromEitherPlaceButNotBoth(@TempDir Path dir) throws Exception {
        EngineIntakeCommand none = new EngineIntakeCommand();
        new CommandLine(none).parseArgs();
        assertThat(none.rulesConfig.options(none.deadlines)).usingRecursiveComparison().ignoringFields("deadlines")
                .isEqualTo(IngestRules.Options.defaults());

        Path deadlines = write(dir, "deadlines.yaml", "alarms:\n  gas:\n    leak: {acknowledge: 2h, resolve: 12h}\n");
        Path plain = write(dir, "plain.yaml", "leak:\n  gas: {continuous-hours: 5}\n");
        Path naming = write(dir, "naming.yaml", "alarms:\n  deadlines: " + deadlines + "\n");
        for (String[] args : List.of(new String[] {"--config", plain.toString(), "--deadlines", deadlines.toString()},
                new String[] {"--config", naming.toString()})) {
            EngineIntakeCommand cmd = new EngineIntakeCommand();
            new CommandLine(cmd).parseArgs(args);
            IngestRules.Options o = cmd.rulesConfig.options(cmd.deadlines);
            assertThat(o.deadlines().of(AlarmKind.GAS_LEAK_SUSPECTED, Medium.GAS).within().values())
                    .as(String.join(" ", args)).contains(Duration.ofHours(2), Duration.ofHours(12));
        }
        EngineIntakeCommand plainOnly = new EngineIntakeCommand();
        new CommandLine(plainOnly).parseArgs("--config", plain.toString());
        assertThat(plainOnly.rulesConfig.options(plainOnly.deadlines).leaks().byMedium().get(Medium.GAS).continuousHours())
                .isEqualTo(5);

        // Both: neither silently wins.
        TestCli.Run both = TestCli.meterhub("engine-intake", "--config", naming.toString(), "--deadlines", deadlines.toString(),
                "--store", "jdbc:sqlite:" + dir.resolve("x.db"), "--alarms-mqtt", "none");
        assertThat(both.exit()).isNotZero();
        assertThat(both.err().strip()).doesNotContain("\n").contains("--deadlines").contains("alarms.deadlines");
    }

    @Test
    void aBadFieldIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path bad = write(dir, "bad.yaml", "leak:\n  classes:\n    DN20: {medium: water, floor-hours: 100}\n");
        for (String command : List.of("engine-intake", "mqtt-gateway")) {
            TestCli.Run r = TestCli.meterhub(command, "--config", bad.toString(), "--store", "jdbc:sqlite:" + dir.resolve("x.db"),
                    "--alarms-mqtt", "none");
            assertThat(r.exit()).as(command).isNotZero();
            assertThat(r.err().strip()).as(command).doesNotContain("\n").contains("bad.yaml:").contains("floor-hours: expected 24 to 336");
        }
    }

    private static Path write(Path dir, String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
