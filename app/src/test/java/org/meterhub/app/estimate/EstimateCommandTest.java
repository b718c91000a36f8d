package org.meterhub.app.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.attempt.JdbcReadAttempts;
import org.meterhub.engine.attempt.ReadAttempt;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimationMethod;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.TrueUp;
import org.meterhub.engine.estimation.WorkItem;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Worked examples of the estimation rules, run as the clerk runs them: cycle 2026-11, reading
 * window 26 Oct .. 14 Nov 2026 (Asia/Shanghai), 101 households managed (100 residential accounts to read and
 * N1), so 2 estimates allowed. R1..R5 and C1 have three recorded failed attempts in the window (polls on 27 and
 * 30 Oct, a visit on 3 Nov): estimation counts those, not the window's silent days.
 * <ul>
 *   <li>R1: no consumption history at all: refused NO_HISTORY (must read);</li>
 *   <li>R2: read last on 20 Oct (1 000 m³); same 26 days last year used 2 m³/day: 52 m³, SAME_PERIOD_LAST_YEAR;</li>
 *   <li>R3: no year of history, last month 30 m³ in 30 days: 26 days × 1 m³ = 26 m³, raised to 30 m³;</li>
 *   <li>R4: estimated in 2026-10: refused ESTIMATED_LAST_CYCLE;</li>
 *   <li>R5: would qualify, but the 2 allowed estimates are taken: refused QUOTA_REACHED;</li>
 *   <li>R6: estimated 20 m³ in 2026-10 from register 500 m³, read 525 m³ on 1 Nov: true-up +5 m³;</li>
 *   <li>C1: commercial, unread: refused NOT_RESIDENTIAL, must read;</li>
 *   <li>N1: ignited this month: not to read, not listed; R100..R193: read in the window.</li>
 * </ul>
 */
class EstimateCommandTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final YearMonth CYCLE = YearMonth.of(2026, 11);
    private static final Instant AFTER_WINDOW = LocalDateTime.of(2026, 11, 15, 9, 0).atZone(ZONE).toInstant();

    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void setUp() {
        url = "jdbc:sqlite:" + dir.resolve("store.db");
        Instant now = Instant.parse("2026-11-15T00:00:00Z");
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            for (String id : List.of("R1", "R2", "R3", "R4", "R5", "R6", "C1", "N1")) {
                meterAndAccount(store, id, id.startsWith("C") ? CustomerClass.COMMERCIAL : CustomerClass.RESIDENTIAL,
                        id.equals("N1") ? LocalDate.of(2026, 11, 3) : LocalDate.of(2024, 5, 1), now);
            }
            for (int i = 100; i < 194; i++) {
                meterAndAccount(store, "R" + i, CustomerClass.RESIDENTIAL, LocalDate.of(2024, 5, 1), now);
                readings.add(reading("R" + i, LocalDate.of(2026, 11, 2), 10_000L + i));
            }
            for (String id : List.of("R2", "R3", "R4", "R5")) {
                readings.add(reading(id, LocalDate.of(2026, 10, 20), 1_000_000));
                daily(intervals, id, LocalDate.of(2026, 9, 26), LocalDate.of(2026, 10, 26), 1_000);
            }
            daily(intervals, "R2", LocalDate.of(2025, 10, 20), LocalDate.of(2025, 11, 15), 2_000);
            daily(intervals, "R5", LocalDate.of(2025, 10, 20), LocalDate.of(2025, 11, 15), 2_000);
            readings.add(reading("R6", LocalDate.of(2026, 11, 1), 525_000));
            store.append(readings, intervals);
        }
        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcReadAttempts attempts = new JdbcReadAttempts(db);
            for (String id : List.of("R1", "R2", "R3", "R4", "R5", "C1")) {
                for (LocalDate d : List.of(LocalDate.of(2026, 10, 27), LocalDate.of(2026, 10, 30))) {
                    attempts.record(ReadAttempt.failedPoll(id, d.atTime(3, 0).atZone(ZONE).toInstant(), "no answer", "gateway:DTU-1"));
                }
                Instant visit = LocalDate.of(2026, 11, 3).atTime(10, 0).atZone(ZONE).toInstant();
                attempts.record(new ReadAttempt(id, id, ReadAttempt.Channel.VISIT, ReadAttempt.Result.FAILED, visit,
                        "nobody home", "reader-7", visit));
            }
            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            for (String id : List.of("R4", "R6")) {
                records.save(new Estimate(id, id, CYCLE.minusMonths(1), 20_000, 500_000, 520_000,
                        EstimationMethod.LAST_MONTH_DAILY_AVERAGE, false, "earlier cycle", now.minusSeconds(2_600_000)));
            }
        }
    }

    @Test
    void dryRunDecidesEverythingAndWritesNothing() {
        String out = run(AFTER_WINDOW, "--cycle", "2026-11", "--dry-run");

        assertThat(out).contains("window 2026-10-26..2026-11-14", "DRY RUN",
                "accounts to read 101 (to read 101 = ignited 102 − vacant 0 − removed 0 − suspended 0 − sealed 0"
                        + " − ignited this month 1; ignited 102 = registered 102 − awaiting ignition 0)",
                "households managed 101: at most 2 estimates");
        assertThat(line(out, "R2 ")).contains("ESTIMATED", "52.000 m3", "register 1052.000 m3", "SAME_PERIOD_LAST_YEAR");
        assertThat(line(out, "R3 ")).contains("ESTIMATED", "30.000 m3", "LAST_MONTH_DAILY_AVERAGE", "raised to last cycle's 30000 L");
        assertThat(line(out, "R1 ")).contains("REFUSED NO_HISTORY", "work item MUST_READ");
        assertThat(line(out, "R4 ")).contains("REFUSED ESTIMATED_LAST_CYCLE", "never two cycles running");
        assertThat(line(out, "R5 ")).contains("REFUSED QUOTA_REACHED", "2 allowed");
        assertThat(line(out, "C1 ")).contains("REFUSED NOT_RESIDENTIAL", "work item MUST_READ");
        assertThat(line(out, "R6 ")).contains("READ", "trued up the 2026-10 estimate");
        assertThat(out).contains("true-up R6 2026-10: estimated 20.000 m3, actual 25.000 m3, difference 5.000 m3")
                .contains("estimated 2, refused 4, true-ups 1, estimates retired 0, second visits 4").doesNotContain("N1");
        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            assertThat(records.estimates(CYCLE)).isEmpty();
            assertThat(records.workItems(CYCLE, null)).isEmpty();
            assertThat(records.trueUp("R6", CYCLE.minusMonths(1))).isEmpty();
        }
        org.meterhub.app.security.AuditRows.expect(url, "estimate", "cycle:2026-11", "dry-run");
    }

    @Test
    void runWritesEstimatesWorkItemsAndTrueUpsOnceAndIsRepeatable() {
        run(AFTER_WINDOW, "--cycle", "2026-11");

        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            assertThat(records.estimates(CYCLE)).extracting(Estimate::accountId, Estimate::volumeL, Estimate::estimatedRegisterL,
                    Estimate::raisedToPreviousMonth).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("R2", 52_000L, 1_052_000L, false),
                    org.assertj.core.groups.Tuple.tuple("R3", 30_000L, 1_030_000L, true));
            assertThat(records.workItems(CYCLE, WorkItem.Kind.MUST_READ)).extracting(WorkItem::accountId)
                    .containsExactlyInAnyOrder("R1", "R4", "R5", "C1");
            assertThat(records.workItems(CYCLE, WorkItem.Kind.SECOND_VISIT)).extracting(WorkItem::accountId)
                    .containsExactlyInAnyOrder("R1", "R4", "R5", "C1");
            assertThat(records.trueUp("R6", CYCLE.minusMonths(1))).get().extracting(TrueUp::differenceL).isEqualTo(5_000L);
        }

        String again = run(AFTER_WINDOW.plusSeconds(3600), "--cycle", "2026-11");
        assertThat(line(again, "R2 ")).contains("ALREADY_ESTIMATED");
        assertThat(line(again, "R5 ")).contains("REFUSED QUOTA_REACHED");
        assertThat(line(again, "R6 ")).doesNotContain("trued up");
        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            assertThat(records.estimates(CYCLE)).hasSize(2);
            assertThat(records.workItems(CYCLE, null)).hasSize(8);
        }
    }

    @Test
    void earlyInTheWindowNobodyIsEstimatedButSecondVisitsAreListed() {
        Instant twoDaysIn = LocalDateTime.of(2026, 10, 28, 10, 0).atZone(ZONE).toInstant();
        String out = run(twoDaysIn, "--cycle", "2026-11", "--dry-run");

        assertThat(out).contains("estimated 0");
        assertThat(line(out, "R2 ")).contains("REFUSED TOO_FEW_FAILED_READS", "1 failed reads in the cycle", "work item SECOND_VISIT");
        assertThat(line(out, "C1 ")).contains("REFUSED NOT_RESIDENTIAL");
    }

    @Test
    void silentDaysAreNotFailedAttempts() {
        // R193 is silent all window (20 days) but nobody tried to read it: no estimate, a second visit
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            meterAndAccount(store, "R300", CustomerClass.RESIDENTIAL, LocalDate.of(2024, 5, 1), Instant.parse("2026-11-15T00:00:00Z"));
        }
        String out = run(AFTER_WINDOW, "--cycle", "2026-11", "--dry-run");
        assertThat(line(out, "R300 ")).contains("REFUSED TOO_FEW_FAILED_READS", "0 failed reads in the cycle",
                "work item SECOND_VISIT");
    }

    @Test
    void settingsComeFromAValidatedFile() throws Exception {
        Path file = dir.resolve("reading.yaml");
        java.nio.file.Files.writeString(file, "required-failed-reads: 4\n");
        String out = run(AFTER_WINDOW, "--cycle", "2026-11", "--dry-run", "--settings", file.toString());
        assertThat(line(out, "R2 ")).contains("REFUSED TOO_FEW_FAILED_READS", "3 failed reads in the cycle; estimation needs 4");
        java.nio.file.Files.writeString(file, "max-estimated-percent: 150\n");
        org.meterhub.app.TestCli.Run bad = org.meterhub.app.TestCli.meterhub("estimate", "--store", url, "--cycle", "2026-11",
                "--settings", file.toString());
        assertThat(bad.exit()).isEqualTo(org.meterhub.app.Main.EXIT_USAGE);
        assertThat(bad.err().strip()).isEqualTo("meterhub: " + file + ":1: max-estimated-percent: expected a percentage 0..100, got 150");
    }

    @Test
    void badCycleIsAUserError() {
        assertThat(org.meterhub.app.Main.run("estimate", "--store", url, "--cycle", "November"))
                .isEqualTo(org.meterhub.app.Main.EXIT_USAGE);
    }

    private String run(Instant now, String... args) {
        EstimateCommand cmd = new EstimateCommand();
        cmd.clock = Clock.fixed(now, ZoneOffset.UTC);
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--store", url));
        all.addAll(List.of(args));
        int code = new CommandLine(cmd).setOut(new PrintWriter(out)).execute(all.toArray(String[]::new));
        assertThat(code).as(out.toString()).isZero();
        return out.toString();
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + out));
    }

    private static void meterAndAccount(TimeSeriesStore store, String id, CustomerClass cls, LocalDate ignited, Instant now) {
        store.saveProfile(MeterProfile.of(new MeterInfo(id, Medium.GAS, 0, Instant.parse("2024-05-01T00:00:00Z"),
                MeterInfo.CJT188_CAPACITY_L)));
        store.saveAccount(new Account(id, id, AccountState.IGNITED, cls, "D1", ignited, now));
    }

    private static Reading reading(String meter, LocalDate day, long register) {
        Instant t = day.atTime(12, 0).atZone(ZONE).toInstant();
        return new Reading(meter, t, t, register, ReadingSource.CJT188, Set.of(), 0);
    }

    /** One hour of consumption at noon each day in [from, to). */
    private static void daily(List<ConsumptionInterval> out, String meter, LocalDate from, LocalDate to, long litres) {
        for (LocalDate d = from; d.isBefore(to); d = d.plusDays(1)) {
            Instant s = d.atTime(12, 0).atZone(ZONE).toInstant();
            out.add(new ConsumptionInterval(meter, s, s.plusSeconds(3600), litres, Set.of()));
        }
    }
}
