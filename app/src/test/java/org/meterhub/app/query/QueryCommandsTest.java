package org.meterhub.app.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.app.TestCli.meterhub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.Main;
import org.meterhub.app.TestCli.Run;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The {@code query} subcommands through {@code Main.run}, output captured, on a SQLite store with a
 * small district written here (numbers known exactly), and one parity run on PostgreSQL.
 */
class QueryCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2024-02-01 00:00 in Shanghai. */
    private static final Instant DAY = Instant.parse("2024-01-31T16:00:00Z");
    private static final String A = "30000000000001";
    private static final String B = "30000000000002";
    private static final String INLET = "90000000000001";

    @TempDir
    static Path dir;
    private static String sqlite;

    static JsonNode json(String... args) throws Exception {
        Run r = meterhub(args);
        assertThat(r.exit()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    /**
     * A: 24 hourly readings, 100 L an hour, the 5th with a low battery and a skewed clock, the 10th
     * hour estimated. B: 50 L an hour. The inlet: 200 L an hour. Accounts in several states.
     */
    static void write(TimeSeriesStore store) {
        for (String m : List.of(A, B, INLET)) {
            boolean inlet = m.equals(INLET);
            store.saveProfile(new MeterProfile(new MeterInfo(m, Medium.GAS, 0, DAY, MeterInfo.CJT188_CAPACITY_L), "AMR",
                    inlet ? null : CustomerClass.RESIDENTIAL, "1.5", 6_000L, LocalDate.of(2023, 1, 1), "D7", "L-" + m,
                    inlet ? MeterRole.DISTRICT_INLET : MeterRole.CUSTOMER));
            long perHour = inlet ? 200 : m.equals(A) ? 100 : 50;
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            for (int h = 1; h <= 24; h++) {
                Instant t = DAY.plus(Duration.ofHours(h));
                boolean odd = m.equals(A) && h == 5;
                readings.add(new Reading(m, t, t.plusSeconds(2), perHour * h, ReadingSource.CJT188,
                        odd ? Set.of(ReadingFlag.LOW_BATTERY, ReadingFlag.CLOCK_SKEW) : Set.of(), 0,
                        odd ? t.minus(Duration.ofMinutes(30)) : null));
                intervals.add(new ConsumptionInterval(m, t.minus(Duration.ofHours(1)), t, perHour,
                        m.equals(A) && h == 10 ? Set.of(IntervalFlag.ESTIMATED) : Set.of()));
            }
            store.append(readings, intervals);
        }
        store.saveAccount(new Account("AC-1", A, AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D7",
                LocalDate.of(2022, 5, 1), DAY));
        store.saveAccount(new Account("AC-2", B, AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D7",
                LocalDate.of(2024, 2, 1), DAY)); // ignited in February
        store.saveAccount(new Account("AC-3", null, AccountState.SEALED, CustomerClass.RESIDENTIAL, "D7", null, DAY));
        store.saveAccount(new Account("AC-4", null, AccountState.VACANT, CustomerClass.RESIDENTIAL, "D9", null, DAY));
    }

    @BeforeAll
    static void store() {
        sqlite = "jdbc:sqlite:" + dir.resolve("query.db");
        try (TimeSeriesStore store = StoreFactory.open(sqlite)) {
            write(store);
        }
    }

    @Test
    void readingsShowRegistersFlagsAndTheMeterClock() throws Exception {
        JsonNode r = json("query", "readings", "--meter", A, "--from", "2024-02-01", "--to", "2024-02-02",
                "--format", "json", "--store", sqlite);
        assertThat(r.get("count").asInt()).isEqualTo(23); // hours 1..23 of the day; the 24th is 2024-02-02 00:00
        JsonNode fifth = r.get("readings").get(4);
        assertThat(fifth.get("time").asText()).isEqualTo("2024-02-01T05:00:00+08:00");
        assertThat(fifth.get("meter_time").asText()).isEqualTo("2024-02-01T04:30:00+08:00");
        assertThat(fifth.get("register_l").asLong()).isEqualTo(500);
        assertThat(fifth.get("register_m3").asText()).isEqualTo("0.500");
        assertThat(fifth.get("flags").toString()).contains("low_battery", "clock_skew");
        assertThat(r.get("readings").get(0).get("meter_time").isNull()).isTrue();

        Run table = meterhub("query", "readings", "--meter", A, "--from", "2024-02-01T04:00", "--to",
                "2024-02-01T06:00", "--store", sqlite);
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("count              2").contains("meter_time")
                .contains("2024-02-01T04:30:00+08:00").contains("low_battery");
    }

    @Test
    void flagsListFlaggedReadingsAndEstimatedIntervals() throws Exception {
        JsonNode f = json("query", "flags", "--meter", A, "--from", "2024-02-01", "--to", "2024-02-02", "--format",
                "json", "--store", sqlite);
        assertThat(f.get("flags")).hasSize(2);
        assertThat(f.get("flags").get(0).get("kind").asText()).isEqualTo("reading");
        assertThat(f.get("flags").get(0).get("start").asText()).isEqualTo("2024-02-01T05:00:00+08:00");
        JsonNode estimated = f.get("flags").get(1);
        assertThat(estimated.get("kind").asText()).isEqualTo("interval");
        assertThat(estimated.get("start").asText()).isEqualTo("2024-02-01T09:00:00+08:00");
        assertThat(estimated.get("estimated").asBoolean()).isTrue();
        assertThat(estimated.get("value_l").asLong()).isEqualTo(100);
    }

    @Test
    void healthCountsReadsAgainstTheExpectedInterval() throws Exception {
        JsonNode h = json("query", "health", "--meter", A, "--from", "2024-02-01", "--to", "2024-02-02",
                "--interval", "30m", "--format", "json", "--store", sqlite);
        assertThat(h.get("reads_expected").asLong()).isEqualTo(48);
        assertThat(h.get("reads_received").asLong()).isEqualTo(23);
        assertThat(h.get("read_success_rate").asText()).isEqualTo("0.4792");
        assertThat(h.get("last_register_l").asLong()).isEqualTo(2_400);
        assertThat(h.get("battery").asText()).isEqualTo("ok"); // the last reading reports no low battery

        Run bad = meterhub("query", "health", "--meter", A, "--interval", "soon", "--store", sqlite);
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err()).contains("--interval");
    }

    @Test
    void districtBalancesTheInletAgainstTheCustomers() throws Exception {
        JsonNode d = json("query", "district", "--district", "D7", "--from", "2024-02-01", "--to", "2024-02-02",
                "--format", "json", "--store", sqlite);
        // the day's intervals: hours 1..24 start 00:00..23:00 local, all inside the day
        assertThat(d.get("inlet_l").asLong()).isEqualTo(24 * 200);
        assertThat(d.get("customers_l").asLong()).isEqualTo(24 * 150);
        assertThat(d.get("loss_l").asLong()).isEqualTo(24 * 50);
        assertThat(d.get("loss_ratio").asText()).isEqualTo("0.2500");
        assertThat(d.get("estimated").asBoolean()).isTrue();
        assertThat(d.get("meters")).extracting(m -> m.get("meter").asText()).containsExactly(A, B);

        Run unknown = meterhub("query", "district", "--district", "nowhere", "--from", "2024-02-01", "--to",
                "2024-02-02", "--store", sqlite);
        assertThat(unknown.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(unknown.err()).contains("no meters in district nowhere");
    }

    @Test
    void topRanksTheLargestConsumersAsCsv() {
        Run top = meterhub("query", "top", "--from", "2024-02-01", "--to", "2024-02-02", "--limit", "2", "--format",
                "csv", "--store", sqlite);
        assertThat(top.exit()).as(top.err()).isZero();
        assertThat(top.out().lines().toList()).containsExactly(
                "rank,meter,volume_l,volume_m3,intervals,estimated,flags",
                "1," + INLET + ",4800,4.800,24,false,",
                "2," + A + ",2400,2.400,24,true,estimated");
        Run bad = meterhub("query", "top", "--from", "2024-02-01", "--to", "2024-02-02", "--limit", "0", "--store",
                sqlite);
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err()).contains("--limit");
    }

    @Test
    void accountsToReadLeaveOutWhatWasIgnitedThisMonthAndEveryOtherState() throws Exception {
        JsonNode feb = json("query", "accounts", "--month", "2024-02", "--format", "json", "--store", sqlite);
        assertThat(feb.get("accounts")).extracting(a -> a.get("account").asText()).containsExactly("AC-1");
        // the seed's formula: ignited 4 = registered 4 − awaiting ignition 0;
        // to read 1 = 4 − vacant 1 − removed 0 − suspended 0 − sealed 1 − ignited this month 1 (AC-2)
        assertThat(feb.get("registered").asInt()).isEqualTo(4);
        assertThat(feb.get("awaiting_ignition").asInt()).isZero();
        assertThat(feb.get("ignited").asInt()).isEqualTo(4);
        assertThat(feb.get("ignited_this_month").asInt()).isEqualTo(1);
        assertThat(feb.get("vacant").asInt()).isEqualTo(1);
        assertThat(feb.get("sealed").asInt()).isEqualTo(1);
        assertThat(feb.get("to_read").asInt()).isEqualTo(1);
        JsonNode march = json("query", "accounts", "--month", "2024-03", "--district", "D7", "--format", "json",
                "--store", sqlite);
        assertThat(march.get("accounts")).extracting(a -> a.get("account").asText()).containsExactly("AC-1", "AC-2");
        assertThat(march.get("vacant").asInt()).as("AC-4 is in D9").isZero();
        Run bad = meterhub("query", "accounts", "--month", "Feb", "--store", sqlite);
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err()).contains("--month: expected a month such as 2026-11");
    }

    @Test
    void postgresqlAnswersTheSameAsSqlite() throws Exception {
        try (TestDatabases.Database db = TestDatabases.createPostgres()) {
            try (TimeSeriesStore store = StoreFactory.open(db.url())) {
                write(store);
            }
            for (String[] q : List.of(
                    new String[] {"readings", "--meter", A, "--from", "2024-02-01", "--to", "2024-02-02"},
                    new String[] {"flags", "--meter", A, "--from", "2024-02-01", "--to", "2024-02-02"},
                    new String[] {"health", "--meter", A, "--from", "2024-02-01", "--to", "2024-02-02"},
                    new String[] {"district", "--district", "D7", "--from", "2024-02-01", "--to", "2024-02-02"},
                    new String[] {"top", "--from", "2024-02-01", "--to", "2024-02-02"},
                    new String[] {"accounts", "--month", "2024-02"})) {
                List<String> args = new ArrayList<>(List.of("query"));
                args.addAll(List.of(q));
                args.addAll(List.of("--format", "json", "--store"));
                Run lite = meterhub(concat(args, sqlite));
                Run pg = meterhub(concat(args, db.url()));
                assertThat(pg.exit()).as(pg.err()).isZero();
                assertThat(pg.out()).as(q[0]).isEqualTo(lite.out());
            }
        }
    }

    private static String[] concat(List<String> args, String last) {
        List<String> all = new ArrayList<>(args);
        all.add(last);
        return all.toArray(String[]::new);
    }
}
