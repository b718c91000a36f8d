package org.meterhub.engine.coverage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import org.meterhub.engine.account.AccountsToRead;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.attempt.JdbcReadAttempts;
import org.meterhub.engine.attempt.ReadAttempt;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.estimation.Decision;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimateRetirement;
import org.meterhub.engine.estimation.EstimationCycle;
import org.meterhub.engine.estimation.EstimationSettings;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.ReadingWindow;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worked example, hand-computed, on a SQLite file: cycle 2026-11 (window 26 Oct .. 14 Nov, Asia/Shanghai).
 *
 * <pre>
 * 14 accounts on the books (registered):
 *   awaiting ignition  W1 (state registered), W2 (awaiting_ignition)           2
 *   vacant V1, removed X1, suspended S1, sealed L1                           1+1+1+1
 *   ignited this month N1 (ignited 3 Nov 2026)                                 1
 *   to read: A B C D E F (residential), G (commercial)                         7
 * ignited = 14 − 2 = 12;  to read = 12 − 1 − 1 − 1 − 1 − 1 = 7
 * households managed = residential, not removed = 14 − G − X1 = 12; estimates allowed at 10 % = floor(1.2) = 1
 *
 *   A  silent the whole window (20 days), no attempt recorded  → not estimated (0 attempts), second visit
 *   B  3 failed attempts (polls 27 and 29 Oct, a visit 1 Nov); 30 m³ in 30 days last month, last read 20 Oct
 *      → estimated: 26 days × 1 m³ = 26 m³, raised to last month's 30 m³ (the one allowed estimate)
 *   C  2 failed attempts → not estimated, second visit
 *   D  read 2 Nov;  F read 3 Nov;  G (commercial) read 1 Nov, not in the week before 10 Nov
 *   E  3 failed attempts, same history as B → quota reached in the first run (must read + second visit)
 * then B is read on 8 Nov: the second run retires B's estimate (B billed on its reading) and the freed
 * quota goes to E (30 m³).
 * coverage: read B D F G = 4, estimated E = 1, missing A C = 2 (4 + 1 + 2 = 7);
 *   monthly 4/7 = 57.14 % (target 98: not met); A was read on 10 Oct (cycle 2026-10) → quarter 5/7 = 71.42 %;
 *   estimates 1/12 = 8.33 % (at most 1: within).
 * </pre>
 */
class ReadingCoverageTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final YearMonth CYCLE = YearMonth.of(2026, 11);
    private static final EstimationSettings TEN_PERCENT = new EstimationSettings(3, new BigDecimal("10"));

    @TempDir
    Path dir;
    String url;
    TimeSeriesStore store;
    SqlDatabase db;
    JdbcEstimationRecords records;
    JdbcReadAttempts attempts;

    @BeforeEach
    void setUp() {
        url = "jdbc:sqlite:" + dir.resolve("store.db");
        store = StoreFactory.open(url);
        db = SqlDatabase.open(url);
        records = new JdbcEstimationRecords(db);
        attempts = new JdbcReadAttempts(db);
        Instant now = at(2026, 10, 1, 0);
        LocalDate old = LocalDate.of(2024, 5, 1);
        account("W1", AccountState.REGISTERED, CustomerClass.RESIDENTIAL, null, now);
        account("W2", AccountState.AWAITING_IGNITION, CustomerClass.RESIDENTIAL, null, now);
        account("V1", AccountState.VACANT, CustomerClass.RESIDENTIAL, old, now);
        account("X1", AccountState.REMOVED, CustomerClass.RESIDENTIAL, old, now);
        account("S1", AccountState.SUSPENDED, CustomerClass.RESIDENTIAL, old, now);
        account("L1", AccountState.SEALED, CustomerClass.RESIDENTIAL, old, now);
        account("N1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, LocalDate.of(2026, 11, 3), now);
        for (String id : List.of("A", "B", "C", "D", "E", "F")) account(id, AccountState.IGNITED, CustomerClass.RESIDENTIAL, old, now);
        account("G", AccountState.IGNITED, CustomerClass.COMMERCIAL, old, now);

        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        readings.add(reading("A", at(2026, 10, 10, 12), 400_000));
        for (String id : List.of("B", "E")) {
            readings.add(reading(id, at(2026, 10, 20, 12), 1_000_000));
            for (LocalDate d = LocalDate.of(2026, 9, 26); d.isBefore(LocalDate.of(2026, 10, 26)); d = d.plusDays(1)) {
                Instant s = d.atTime(12, 0).atZone(ZONE).toInstant();
                intervals.add(new ConsumptionInterval(id, s, s.plusSeconds(3600), 1_000, Set.of()));
            }
        }
        readings.add(reading("D", at(2026, 11, 2, 12), 10_000));
        readings.add(reading("F", at(2026, 11, 3, 12), 20_000));
        readings.add(reading("G", at(2026, 11, 1, 12), 30_000));
        store.append(readings, intervals);

        for (String id : List.of("B", "E")) {
            attempts.record(ReadAttempt.failedPoll(id, at(2026, 10, 27, 2), "no answer after 3 tries", "gateway:DTU-1"));
            attempts.record(ReadAttempt.failedPoll(id, at(2026, 10, 29, 2), "no answer after 3 tries", "gateway:DTU-1"));
            attempts.record(new ReadAttempt(id, id, ReadAttempt.Channel.VISIT, ReadAttempt.Result.FAILED,
                    at(2026, 11, 1, 10), "nobody home", "reader-7", at(2026, 11, 1, 18)));
        }
        attempts.record(ReadAttempt.failedPoll("C", at(2026, 10, 27, 2), "no answer", "gateway:DTU-1"));
        attempts.record(new ReadAttempt("C", "C", ReadAttempt.Channel.VISIT, ReadAttempt.Result.FAILED,
                at(2026, 11, 2, 10), "meter behind a locked door", "reader-7", at(2026, 11, 2, 18)));
        // a successful visit is an attempt too, but not a failed one; a repeated entry is kept once
        attempts.record(new ReadAttempt("C", "C", ReadAttempt.Channel.VISIT, ReadAttempt.Result.READ,
                at(2026, 10, 20, 10), "read before the window", "reader-7", at(2026, 10, 20, 18)));
        assertThat(attempts.record(ReadAttempt.failedPoll("C", at(2026, 10, 27, 2), "no answer", "gateway:DTU-1"))).isFalse();
    }

    @AfterEach
    void tearDown() {
        db.close();
        store.close();
    }

    @Test
    void accountsToReadFollowTheSeedsFormulaAndAddUp() {
        AccountsToRead t = AccountsToRead.of(CYCLE, store.accounts(null));
        assertThat(t.registered()).isEqualTo(14);
        assertThat(t.awaitingIgnition()).isEqualTo(2);
        assertThat(t.ignited()).isEqualTo(12);
        assertThat(List.of(t.vacant(), t.removed(), t.suspended(), t.sealed(), t.ignitedThisMonth()))
                .containsExactly(1, 1, 1, 1, 1);
        assertThat(t.toRead()).isEqualTo(7).isEqualTo(12 - 1 - 1 - 1 - 1 - 1);
        assertThat(t.accounts()).extracting(Account::accountId).containsExactly("A", "B", "C", "D", "E", "F", "G");
        assertThat(t.arithmetic()).isEqualTo("to read 7 = ignited 12 − vacant 1 − removed 1 − suspended 1 − sealed 1"
                + " − ignited this month 1; ignited 12 = registered 14 − awaiting ignition 2");
        // in October N1 was not ignited yet in that month's sense: it is to read there (state IGNITED, ignited in November)
        assertThat(AccountsToRead.of(YearMonth.of(2026, 12), store.accounts(null)).toRead()).isEqualTo(8);
        assertThatThrownBy(() -> new AccountsToRead(CYCLE, 14, 2, 1, 1, 1, 1, 0, t.accounts()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("do not add up");
    }

    @Test
    void threeRecordedFailedAttemptsAllowAnEstimateThreeCalendarDaysDoNot() {
        EstimationCycle.Report r = cycle(at(2026, 11, 5, 10)).run(window(), true);

        assertThat(r.householdsManaged()).isEqualTo(12);
        assertThat(r.allowedEstimates()).isEqualTo(1);
        // A: ten silent days in the window, but nobody tried: no estimate
        assertThat(refusal(r, "A")).isEqualTo(Decision.Refusal.TOO_FEW_FAILED_READS);
        assertThat(reason(r, "A")).startsWith("0 failed reads");
        assertThat(reason(r, "C")).startsWith("2 failed reads");
        assertThat(r.estimates()).extracting(Estimate::accountId, Estimate::volumeL)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("B", 30_000L));
        assertThat(refusal(r, "E")).isEqualTo(Decision.Refusal.QUOTA_REACHED);
        // the window's attempts only: on 28 Oct B has one failed poll behind it
        assertThat(attempts.failed("B", window().start(), at(2026, 10, 28, 0))).isEqualTo(1);
        assertThat(refusal(cycle(at(2026, 10, 28, 0)).run(window(), true), "B")).isEqualTo(Decision.Refusal.TOO_FEW_FAILED_READS);
    }

    @Test
    void anEstimateReadLaterInTheWindowIsRetiredAndItsQuotaGoesToTheNext() {
        EstimationCycle.Report first = cycle(at(2026, 11, 5, 10)).run(window(), false);
        assertThat(first.estimates()).extracting(Estimate::accountId).containsExactly("B");
        assertThat(records.workItems(CYCLE, WorkItem.Kind.SECOND_VISIT)).extracting(WorkItem::accountId)
                .containsExactlyInAnyOrder("A", "C", "E");
        assertThat(records.workItems(CYCLE, WorkItem.Kind.MUST_READ)).extracting(WorkItem::accountId)
                .containsExactly("E");

        store.append(List.of(reading("B", at(2026, 11, 8, 9), 1_027_500)), List.of());
        EstimationCycle.Report second = cycle(at(2026, 11, 10, 10)).run(window(), false);

        assertThat(second.retirements()).extracting(EstimateRetirement::accountId, EstimateRetirement::readingRegisterL)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("B", 1_027_500L));
        assertThat(outcome(second, "B").status()).isEqualTo(EstimationCycle.Status.ESTIMATE_RETIRED);
        assertThat(second.estimates()).extracting(Estimate::accountId, Estimate::volumeL)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("E", 30_000L));
        // the estimate row stays; only the standing ones are billed and counted
        assertThat(records.allEstimates(CYCLE)).extracting(Estimate::accountId).containsExactly("B", "E");
        assertThat(records.estimates(CYCLE)).extracting(Estimate::accountId).containsExactly("E");
        assertThat(records.estimate("B", CYCLE)).isEmpty();
        assertThat(records.retirements(CYCLE)).hasSize(1);

        EstimationCycle.Report third = cycle(at(2026, 11, 11, 10)).run(window(), false);
        assertThat(third.retirements()).isEmpty();
        assertThat(outcome(third, "B").status()).isEqualTo(EstimationCycle.Status.ESTIMATE_RETIRED);
        assertThat(outcome(third, "E").status()).isEqualTo(EstimationCycle.Status.ALREADY_ESTIMATED);
        assertThat(records.retirements(CYCLE)).hasSize(1);
    }

    @Test
    void aMissedAccountGetsASecondVisitWorkItemWhateverElseIsOwed() {
        cycle(at(2026, 11, 15, 10)).run(window(), false);
        assertThat(records.workItems(CYCLE, WorkItem.Kind.SECOND_VISIT)).extracting(WorkItem::accountId)
                .containsExactlyInAnyOrder("A", "C", "E");
        cycle(at(2026, 11, 15, 11)).run(window(), false);
        assertThat(records.workItems(CYCLE, WorkItem.Kind.SECOND_VISIT)).hasSize(3);
    }

    @Test
    void coverageSummaryAddsUp() {
        cycle(at(2026, 11, 5, 10)).run(window(), false);
        store.append(List.of(reading("B", at(2026, 11, 8, 9), 1_027_500)), List.of());
        cycle(at(2026, 11, 10, 10)).run(window(), false);

        CoverageSettings settings = new CoverageSettings(new BigDecimal("98"), new BigDecimal("100"), new BigDecimal("10"),
                Duration.ofDays(7));
        CoverageReport c = new CoverageQuery(store, records, attempts, settings, Clock.fixed(at(2026, 11, 20, 0), ZoneOffset.UTC))
                .cycle(CYCLE, at(2026, 11, 10, 10));

        assertThat(c.accounts().toRead()).isEqualTo(7);
        assertThat(List.of(c.read(), c.estimated(), c.missing())).containsExactly(4, 1, 2);
        assertThat(c.monthlyCoverage()).contains(new BigDecimal("57.14"));
        assertThat(c.monthlyMet()).isFalse();
        assertThat(c.quarterCycles()).containsExactly(YearMonth.of(2026, 10), CYCLE);
        assertThat(c.readInQuarter()).isEqualTo(5);
        assertThat(c.quarterlyCoverage()).contains(new BigDecimal("71.42"));
        assertThat(c.quarterlyMet()).isFalse();
        assertThat(c.householdsManaged()).isEqualTo(12);
        assertThat(c.estimatedShare()).contains(new BigDecimal("8.33"));
        assertThat(c.allowedEstimates()).isEqualTo(1);
        assertThat(c.estimatesWithinLimit()).isTrue();
        assertThat(c.attention(CoverageReport.Need.SECOND_VISIT))
                .extracting(CoverageReport.Attention::accountId, CoverageReport.Attention::failedAttempts,
                        CoverageReport.Attention::workItem)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("A", 0, true),
                        org.assertj.core.groups.Tuple.tuple("C", 2, true));
        assertThat(c.attention(CoverageReport.Need.COMMERCIAL_NOT_READ_THIS_WEEK))
                .extracting(CoverageReport.Attention::accountId, a -> a.lastRead().orElseThrow())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("G", at(2026, 11, 1, 12)));
        // read on 4 Nov, G is read "this week" as of 10 Nov
        store.append(List.of(reading("G", at(2026, 11, 4, 12), 30_500)), List.of());
        assertThat(new CoverageQuery(store, records, attempts, settings, Clock.systemUTC()).cycle(CYCLE, at(2026, 11, 10, 10))
                .attention(CoverageReport.Need.COMMERCIAL_NOT_READ_THIS_WEEK)).isEmpty();
    }

    @Test
    void theApiAnswersTheSameReport() throws Exception {
        cycle(at(2026, 11, 5, 10)).run(window(), false);
        store.append(List.of(reading("B", at(2026, 11, 8, 9), 1_027_500)), List.of());
        cycle(at(2026, 11, 10, 10)).run(window(), false);
        CoverageSettings settings = new CoverageSettings(new BigDecimal("98"), new BigDecimal("100"), new BigDecimal("10"),
                Duration.ofDays(7));
        Clock clock = Clock.fixed(at(2026, 11, 20, 0), ZoneOffset.UTC);
        try (ApiServer api = ApiServer.builder(store, ZONE, clock).threads(1)
                .coverage(new CoverageQuery(store, records, attempts, settings, clock)).start()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + api.address().getPort() + "/api/v1/coverage?cycle=2026-11&at=2026-11-10T10:00")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode j = new ObjectMapper().readTree(r.body());
            assertThat(j.get("registered").asInt() - j.get("awaiting_ignition").asInt()).isEqualTo(j.get("ignited").asInt());
            assertThat(j.get("to_read").asInt()).isEqualTo(7);
            assertThat(List.of(j.get("read").asInt(), j.get("estimated").asInt(), j.get("missing").asInt()))
                    .containsExactly(4, 1, 2);
            assertThat(j.get("monthly_coverage_percent").asText()).isEqualTo("57.14");
            assertThat(j.get("monthly_met").asBoolean()).isFalse();
            assertThat(j.get("quarterly_coverage_percent").asText()).isEqualTo("71.42");
            assertThat(j.get("estimated_percent").asText()).isEqualTo("8.33");
            assertThat(j.get("households_managed").asInt()).isEqualTo(12);
            assertThat(j.get("attention")).extracting(a -> a.get("account").asText() + " " + a.get("need").asText())
                    .containsExactly("A second_visit", "C second_visit", "G commercial_not_read_this_week");
            HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + api.address().getPort() + "/api/v1/coverage?cycle=Nov")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void targetsAreSettingsWithOneLineErrorsNamingTheField() {
        assertThat(CoverageSettings.defaults()).isEqualTo(new CoverageSettings(new BigDecimal("98"), new BigDecimal("100"),
                new BigDecimal("2"), Duration.ofDays(7)));
        assertThatThrownBy(() -> new CoverageSettings(new BigDecimal("101"), BigDecimal.TEN, BigDecimal.ONE, Duration.ofDays(7)))
                .hasMessage("monthly-target-percent: expected a percentage 0..100, got 101");
        assertThatThrownBy(() -> new CoverageSettings(BigDecimal.TEN, BigDecimal.TEN, BigDecimal.ONE, Duration.ZERO))
                .hasMessageStartingWith("commercial-read-every: expected a positive duration");
    }

    private EstimationCycle cycle(Instant now) {
        return new EstimationCycle(store, records, attempts, TEN_PERCENT, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static ReadingWindow window() {
        return new ReadingWindow(CYCLE, ZONE);
    }

    private static EstimationCycle.AccountOutcome outcome(EstimationCycle.Report r, String account) {
        return r.outcomes().stream().filter(o -> o.accountId().equals(account)).findFirst().orElseThrow();
    }

    private static Decision.Refusal refusal(EstimationCycle.Report r, String account) {
        return ((Decision.Refused) outcome(r, account).decision().orElseThrow()).refusal();
    }

    private static String reason(EstimationCycle.Report r, String account) {
        return ((Decision.Refused) outcome(r, account).decision().orElseThrow()).reason();
    }

    private void account(String id, AccountState state, CustomerClass cls, LocalDate ignited, Instant now) {
        store.saveProfile(MeterProfile.of(new MeterInfo(id, Medium.GAS, 0, Instant.parse("2024-05-01T00:00:00Z"),
                MeterInfo.CJT188_CAPACITY_L)));
        store.saveAccount(new Account(id, id, state, cls, "D1", ignited, now));
    }

    private static Instant at(int y, int m, int d, int hour) {
        return LocalDateTime.of(y, m, d, hour, 0).atZone(ZONE).toInstant();
    }

    private static Reading reading(String meter, Instant t, long register) {
        return new Reading(meter, t, t, register, ReadingSource.CJT188, Set.of(), 0);
    }
}
