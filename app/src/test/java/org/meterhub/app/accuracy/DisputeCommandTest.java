package org.meterhub.app.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.app.Main;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * docs/accuracy.md's failing dispute through the commands: account D1 on meter DF uses 1 m³ a day
 * from 2026-09-15; bills 80.30 (2026-10) and 85.80 (2026-11); the meter tests +4.000 % at Qmax;
 * both bills are re-billed, refund 3.01 + 3.22. Bad input is one line, exit 2, nothing stored.
 */
class DisputeCommandTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String TARIFFS = """
            tariffs:
              - id: residential-gas
                classes: [residential]
                versions:
                  - from: "2026-01-01"
                    tiers:
                      - {up-to-m3: 350, price: 2.61}
                      - {price: 3.92}
                    fixed:
                      - {name: meter service, monthly: 2.00}
                  - from: "2026-11-01"
                    tiers:
                      - {up-to-m3: 350, price: 2.80}
                      - {price: 4.20}
                    fixed:
                      - {name: meter service, monthly: 2.50}
            """;
    static final String TEST_CSV = """
            meter,test_date,lab,qmin_m3h,qmax_m3h,flow_m3h,reference_l,meter_l
            DF,2026-11-25,city-bureau-bench-2,0.04,6,0.04,10.000,10.250
            DF,2026-11-25,city-bureau-bench-2,0.04,6,0.6,50.000,50.500
            DF,2026-11-25,city-bureau-bench-2,0.04,6,6,100.000,104.000
            """;

    @TempDir
    Path dir;
    String url;


    @BeforeEach
    void store() throws IOException {
        url = "jdbc:sqlite:" + dir.resolve("meterhub.db");
        Files.writeString(dir.resolve("tariffs.yaml"), TARIFFS);
        Files.writeString(dir.resolve("df-test.csv"), TEST_CSV);
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            store.registerMeter(new MeterInfo("DF", Medium.GAS, 0, at(LocalDate.of(2026, 1, 1), 0), MeterInfo.CJT188_CAPACITY_L));
            store.saveAccount(new Account("D1", "DF", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    LocalDate.of(2026, 1, 1), Instant.parse("2026-01-01T00:00:00Z")));
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            long register = 0;
            for (LocalDate d = LocalDate.of(2026, 9, 15); !d.isAfter(LocalDate.of(2026, 11, 14)); d = d.plusDays(1)) {
                readings.add(new Reading("DF", at(d, 0), at(d, 0), register, ReadingSource.CJT188, Set.of(), 0));
                readings.add(new Reading("DF", at(d, 1), at(d, 1), register + 1_000, ReadingSource.CJT188, Set.of(), 0));
                intervals.add(new ConsumptionInterval("DF", at(d, 0), at(d, 1), 1_000, Set.of()));
                register += 1_000;
            }
            store.append(readings, intervals);
        }
    }

    @Test
    void failedDisputeThroughTheCommands() throws Exception {
        ok("tariff", "load", dir.resolve("tariffs.yaml").toString(), "--store", url);
        assertThat(ok("bill", "run", "--cycle", "2026-10", "--store", url).out()).contains("new bills total 80.30 CNY");
        assertThat(ok("bill", "run", "--cycle", "2026-11", "--store", url).out()).contains("new bills total 85.80 CNY");

        assertThat(ok("accuracy", "import", dir.resolve("df-test.csv").toString(), "--store", url).out())
                .contains("test 1  meter DF  2026-11-25  city-bureau-bench-2  3 points: OUTSIDE the class limits; worst point 3 at 6 m3/h",
                        "imported 1 tests from");
        String show = ok("accuracy", "show", "--meter", "DF", "--store", url).out();
        assertThat(show).contains("Qmin 0.04  Qt 0.6  Qmax 6 m3/h", "verdict: OUTSIDE the class limits; worst point 3 at 6 m3/h (Qt<=Q<=Qmax): error +4.000 %");
        assertThat(show.lines().map(l -> l.replaceAll(" +", " ").strip()).toList())
                .contains("1 0.04 Qmin<=Q<Qt 10.000 10.250 +2.500 ±3 within", "3 6 Qt<=Q<=Qmax 100.000 104.000 +4.000 ±1.5 OUTSIDE");

        Path amounts = dir.resolve("meter-rules.yaml");
        // The seed names a deposit and a fee but no amounts: without them a spare dispute is refused.
        bad("dispute open: --rules: required for a dispute with a spare: dispute.deposit and dispute.test-fee (the seed names a"
                + " spare-meter deposit and a test fee but no amounts: set the utility's)",
                "dispute", "open", "--account", "D1", "--meter", "DF", "--date", "2026-11-20", "--spare", "SPARE-1", "--store", url);
        Files.writeString(amounts, "dispute:\n  deposit: 300.00\n");
        bad("dispute open: " + amounts + ": dispute.test-fee: not set (the seed names a spare-meter deposit and a test fee but no amounts:"
                + " set the utility's)", "dispute", "open", "--account", "D1", "--meter", "DF", "--date", "2026-11-20", "--spare", "SPARE-1",
                "--rules", amounts.toString(), "--store", url);
        Files.writeString(amounts, "dispute:\n  deposit: 300.00\n  test-fee: 60.00\n");
        assertThat(ok("dispute", "open", "--account", "D1", "--meter", "DF", "--date", "2026-11-20", "--spare", "SPARE-1",
                "--rules", amounts.toString(), "--store", url).out())
                .contains("dispute case 1  account D1  meter DF  requested 2026-11-20  state AWAITING_TEST", "DEPOSIT_PAID", "300.00",
                        "TEST_FEE_PAID", "60.00", "spare meter SPARE-1 fitted");
        String verdict = ok("dispute", "event", "--case", "1", "--test", "1", "--date", "2026-11-26", "--store", url).out();
        assertThat(verdict).contains("state CLOSED", "FEE_PAID_BY_UTILITY", "DEPOSIT_RETURNED", "SPARE_FREE",
                "cycle 2026-10: bill 3 (version 2) replaces bill 1: 80.30 -> 77.29 CNY, refund 3.01 CNY",
                "cycle 2026-11: bill 4 (version 2) replaces bill 2: 85.80 -> 82.58 CNY, refund 3.22 CNY");
        String bill = ok("bill", "show", "--account", "D1", "--cycle", "2026-11", "--store", url).out();
        assertThat(bill).contains("version 2  replaces bill 2", "total 82.58 CNY");
        assertThat(bill.lines().filter(l -> l.matches("^ ?\\d .*")).map(l -> l.replaceAll(" +", " ").strip()).toList())
                .contains("5 ADJUSTMENT DF 2026-10-15..2026-10-31 1 2026-01-01 -0.654 2.61 -1.71",
                        "6 ADJUSTMENT DF 2026-11-01..2026-11-14 1 2026-11-01 -0.538 2.80 -1.51");
        String shown = ok("dispute", "show", "--account", "D1", "--store", url).out();
        assertThat(shown).contains("dispute case 1", "REBILLED");
        // complaint deadlines on working days: requested Friday 20 November, answered by Wednesday the 25th;
        // with Monday the 23rd a holiday, by Thursday the 26th
        assertThat(shown).containsPattern("deadline answered +within 3 working days +due 2026-11-25");
        Path calendar = dir.resolve("calendar.yaml");
        Files.writeString(calendar, "calendar:\n  years:\n    2026:\n      holidays: [2026-11-23]\n");
        assertThat(ok("dispute", "show", "--account", "D1", "--deadlines", calendar.toString(), "--store", url).out())
                .containsPattern("deadline answered +within 3 working days +due 2026-11-26");
        assertThat(ok("accuracy", "suspects", "--from", "2026-11-01", "--to", "2026-11-14", "--store", url).out())
                .contains("suspect meters 2026-11-01..2026-11-14: 0");
        // A bill run afterwards keeps the adjustments.
        assertThat(ok("bill", "run", "--cycle", "2026-11", "--rebill", "--store", url).out()).contains("unchanged 1");
    }

    @Test
    void badInputIsOneLineAndStoresNothing() throws IOException {
        Path zero = dir.resolve("zero.csv");
        Files.writeString(zero, TEST_CSV.replace("100.000,104.000", "0,104.000"));
        bad("accuracy import: " + zero + ":4: reference_l: must be above zero (the error is relative to it), got 0",
                "accuracy", "import", zero.toString(), "--store", url);
        assertThat(run("accuracy", "show", "--meter", "DF", "--store", url).err().strip())
                .isEqualTo("meterhub: no accuracy test of meter DF; import one with meterhub accuracy import FILE");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "accuracy:\n  upper-zone-limit-percent: 1.5\ndispute:\n  error-formula: multiply\n");
        bad("dispute open: " + rules + ":4: dispute.error-formula: expected divide (true = metered / (1 + error)) or subtract"
                + " (true = metered × (1 - error)), got \"multiply\"",
                "dispute", "open", "--account", "D1", "--meter", "DF", "--date", "2026-11-20", "--spare", "S", "--rules", rules.toString(),
                "--store", url);
        bad("dispute open: --spare: required (or --past-service-life --new-meter M)",
                "dispute", "open", "--account", "D1", "--meter", "DF", "--date", "2026-11-20", "--store", url);
        bad("dispute event: no dispute case 7", "dispute", "event", "--case", "7", "--refit", "--date", "2026-11-20", "--store", url);
    }

    private void bad(String expected, String... args) {
        TestCli.Run r = run(args);
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("meterhub: " + expected.substring(expected.indexOf(": ") + 2));
    }

    private static TestCli.Run ok(String... args) {
        TestCli.Run r = run(args);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    private static TestCli.Run run(String... args) {
        return TestCli.meterhub(args);
    }

    private static Instant at(LocalDate d, int hour) {
        return d.atTime(hour, 0).atZone(ZONE).toInstant();
    }
}
