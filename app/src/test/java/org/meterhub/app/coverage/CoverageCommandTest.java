package org.meterhub.app.coverage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.app.TestCli.meterhub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.meterhub.app.Main;
import org.meterhub.app.TestCli.Run;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.attempt.JdbcReadAttempts;
import org.meterhub.engine.attempt.ReadAttempt;
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

/**
 * {@code meterhub coverage} and {@code meterhub visits record} on a SQLite file, cycle 2026-11:
 * registered 5 (W1 awaiting ignition, V1 vacant), to read 3 = ignited 4 − vacant 1;
 * M1 read on 2 Nov, M2 (manual) visited twice without success, K1 commercial read on 27 Oct only.
 * read 2 (M1, K1) of 3: 66.66 % (target 98: not met); estimates 0 of 4 households (W1, V1, M1, M2).
 */
class CoverageCommandTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void setUp() {
        url = "jdbc:sqlite:" + dir.resolve("store.db");
        Instant now = Instant.parse("2026-10-01T00:00:00Z");
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            account(store, "W1", AccountState.AWAITING_IGNITION, CustomerClass.RESIDENTIAL, now);
            account(store, "V1", AccountState.VACANT, CustomerClass.RESIDENTIAL, now);
            account(store, "M1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, now);
            account(store, "M2", AccountState.IGNITED, CustomerClass.RESIDENTIAL, now);
            account(store, "K1", AccountState.IGNITED, CustomerClass.COMMERCIAL, now);
            store.append(List.of(reading("M1", at(2026, 11, 2, 12), 10_000), reading("K1", at(2026, 10, 27, 12), 50_000)),
                    List.of());
        }
    }

    @Test
    void failedVisitsAreRecordedAttempts() {
        Run first = meterhub("visits", "record", "--store", url, "--account", "M2", "--at", "2026-10-30T10:00",
                "--result", "failed", "--note", "nobody home", "--by", "reader-7");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("failed visit to account M2 (meter M2) at 2026-10-30T10:00+08:00 by reader-7");
        Run again = meterhub("visits", "record", "--store", url, "--account", "M2", "--at", "2026-10-30T10:00",
                "--result", "failed", "--by", "reader-7");
        assertThat(again.out()).contains("recorded before, kept as it was");
        assertThat(meterhub("visits", "record", "--store", url, "--account", "M2", "--at", "2026-11-03T09:00",
                "--result", "failed").exit()).isZero();
        try (SqlDatabase db = SqlDatabase.open(url)) {
            List<ReadAttempt> all = new JdbcReadAttempts(db).attempts("M2", at(2026, 10, 26, 0), at(2026, 11, 15, 0));
            assertThat(all).extracting(ReadAttempt::channel, ReadAttempt::result, ReadAttempt::accountId)
                    .containsOnly(org.assertj.core.groups.Tuple.tuple(ReadAttempt.Channel.VISIT, ReadAttempt.Result.FAILED, "M2"));
            assertThat(all).hasSize(2);
        }
        Run unknown = meterhub("visits", "record", "--store", url, "--account", "nobody", "--at", "2026-11-03T09:00",
                "--result", "failed");
        assertThat(unknown.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(unknown.err()).contains("--account: no account nobody");
        Run badResult = meterhub("visits", "record", "--store", url, "--account", "M2", "--at", "2026-11-03T09:00",
                "--result", "maybe");
        assertThat(badResult.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(badResult.err()).contains("--result: expected failed or read, got \"maybe\"");
    }

    @Test
    void coverageSummaryAddsUpOnTheCommandLine() throws Exception {
        meterhub("visits", "record", "--store", url, "--account", "M2", "--at", "2026-10-30T10:00", "--result", "failed");
        Run json = meterhub("coverage", "--cycle", "2026-11", "--at", "2026-11-10T10:00", "--format", "json", "--store", url);
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(List.of(j.get("registered").asInt(), j.get("awaiting_ignition").asInt(), j.get("ignited").asInt(),
                j.get("vacant").asInt(), j.get("to_read").asInt())).containsExactly(5, 1, 4, 1, 3);
        assertThat(List.of(j.get("read").asInt(), j.get("estimated").asInt(), j.get("missing").asInt()))
                .containsExactly(2, 0, 1);
        assertThat(j.get("monthly_coverage_percent").asText()).isEqualTo("66.66");
        assertThat(j.get("monthly_met").asBoolean()).isFalse();
        assertThat(j.get("households_managed").asInt()).isEqualTo(4);
        assertThat(j.get("estimated_percent").asText()).isEqualTo("0.00");
        assertThat(j.get("attention")).extracting(a -> a.get("account").asText() + " " + a.get("need").asText() + " "
                + a.get("failed_attempts").asInt()).containsExactly("M2 second_visit 1", "K1 commercial_not_read_this_week 0");

        Run table = meterhub("coverage", "--cycle", "2026-11", "--at", "2026-11-10T10:00", "--store", url);
        assertThat(table.out()).contains("to_read            3", "monthly_target_percent 98", "quarterly_target_percent 100",
                "max_estimated_percent 2");

        Path settings = dir.resolve("targets.yaml");
        Files.writeString(settings, "monthly-target-percent: 60\n");
        Run relaxed = meterhub("coverage", "--cycle", "2026-11", "--at", "2026-11-10T10:00", "--format", "json",
                "--settings", settings.toString(), "--store", url);
        assertThat(new ObjectMapper().readTree(relaxed.out()).get("monthly_met").asBoolean()).isTrue();
        Files.writeString(settings, "monthly-target-percent: 60\nquarterly-target-percent: -1\n");
        Run bad = meterhub("coverage", "--cycle", "2026-11", "--settings", settings.toString(), "--store", url);
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err().strip()).isEqualTo("meterhub: " + settings
                + ":2: quarterly-target-percent: expected a percentage 0..100, got -1");
        Run badCycle = meterhub("coverage", "--cycle", "Nov", "--store", url);
        assertThat(badCycle.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(badCycle.err()).contains("--cycle");
    }

    private static void account(TimeSeriesStore store, String id, AccountState state, CustomerClass cls, Instant now) {
        store.saveProfile(MeterProfile.of(new MeterInfo(id, Medium.GAS, 0, Instant.parse("2024-05-01T00:00:00Z"),
                MeterInfo.CJT188_CAPACITY_L)));
        store.saveAccount(new Account(id, id, state, cls, "D1",
                state == AccountState.AWAITING_IGNITION ? null : LocalDate.of(2024, 5, 1), now));
    }

    private static Instant at(int y, int m, int d, int h) {
        return LocalDateTime.of(y, m, d, h, 0).atZone(ZONE).toInstant();
    }

    private static Reading reading(String meter, Instant t, long register) {
        return new Reading(meter, t, t, register, ReadingSource.CJT188, Set.of(), 0);
    }

}
