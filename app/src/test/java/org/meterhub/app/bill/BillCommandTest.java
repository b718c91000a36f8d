package org.meterhub.app.bill;

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
 * The commands on a SQLite store file: the tariff file of docs/billing.md, the tier-threshold
 * example (340 m³ billed in 2026-10, then 1 m³ a day), show, export, rerun, bad input.
 */
class BillCommandTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String TARIFFS = """
            tariffs:
              - id: residential-gas
                classes: [residential]
                year-start: "01-01"
                versions:
                  - from: "2026-01-01"
                    until: "2026-11-01"
                    tiers:
                      - {up-to-m3: 350, price: 2.61}
                      - {up-to-m3: 500, price: 3.13}
                      - {price: 3.92}
                    fixed:
                      - {name: meter service, monthly: 2.00}
                    variants:
                      boiler: {thresholds-m3: [1850, 3000]}
                      large-household: {add-m3: 150}
                  - from: "2026-11-01"
                    tiers:
                      - {up-to-m3: 350, price: 2.80}
                      - {up-to-m3: 500, price: 3.36}
                      - {price: 4.20}
                    fixed:
                      - {name: meter service, monthly: 2.50}
                    variants:
                      boiler: {thresholds-m3: [1850, 3000]}
                      large-household: {add-m3: 150}
            """;

    @TempDir
    Path dir;
    String url;


    @BeforeEach
    void store() throws IOException {
        url = "jdbc:sqlite:" + dir.resolve("meterhub.db");
        Files.writeString(dir.resolve("tariffs.yaml"), TARIFFS);
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            store.registerMeter(new MeterInfo("M1", Medium.GAS, 0, at(LocalDate.of(2026, 1, 1), 0), MeterInfo.CJT188_CAPACITY_L));
            store.saveAccount(new Account("R1", "M1", AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    LocalDate.of(2026, 1, 1), Instant.parse("2026-01-01T00:00:00Z")));
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            long register = 0;
            List<LocalDate> days = new ArrayList<>(List.of(LocalDate.of(2026, 10, 1)));
            for (LocalDate d = LocalDate.of(2026, 10, 15); !d.isAfter(LocalDate.of(2026, 11, 14)); d = d.plusDays(1)) days.add(d);
            for (LocalDate d : days) {
                long litres = d.getDayOfMonth() == 1 && d.getMonthValue() == 10 ? 340_000 : 1_000;
                readings.add(new Reading("M1", at(d, 0), at(d, 0), register, ReadingSource.CJT188, Set.of(), 0));
                readings.add(new Reading("M1", at(d, 1), at(d, 1), register + litres, ReadingSource.CJT188, Set.of(), 0));
                intervals.add(new ConsumptionInterval("M1", at(d, 0), at(d, 1), litres, Set.of()));
                register += litres;
            }
            store.append(readings, intervals);
        }
    }

    @Test
    void loadRunShowExportRerun() {
        TestCli.Run load = run("tariff", "load", dir.resolve("tariffs.yaml").toString(), "--store", url);
        assertThat(load.out()).contains("residential-gas ([residential], tariff year from 01-01): 2 version(s) from [2026-01-01, 2026-11-01]",
                "1 tariff(s) added, 2 version(s) added, 0 already stored");
        assertThat(run("tariff", "load", dir.resolve("tariffs.yaml").toString(), "--store", url).out())
                .contains("0 tariff(s) added, 0 version(s) added, 2 already stored");

        assertThat(run("bill", "run", "--cycle", "2026-10", "--store", url).out()).contains("new 1,", "new bills total 889.40 CNY");
        TestCli.Run nov = run("bill", "run", "--cycle", "2026-11", "--store", url);
        assertThat(nov.out()).contains("bill run 2026-11: period 2026-10-15..2026-11-14 (Asia/Shanghai)",
                "accounts to read 1: new 1, re-billed 0, unchanged 0", "new bills total 97.28 CNY");
        assertThat(nov.err()).contains("billed 1 of 1 accounts (100%)"); // no terminal: plain lines

        TestCli.Run show = run("bill", "show", "--account", "R1", "--cycle", "2026-11", "--store", url);
        assertThat(show.out()).contains("account R1  cycle 2026-11  version 1", "period 2026-10-15..2026-11-14  tariff residential-gas",
                "tier 2 (350.000-500.000 m3/year) at 3.13 CNY/m3, tariff residential-gas version from 2026-01-01; tariff year 2026 position 350.000 -> 357.000 m3",
                "readings 2026-10-15 00:00 340.000 m3 .. 2026-11-14 01:00 371.000 m3 (62 readings)",
                "meter service: 2.50 CNY/month x 14/31 days", "total 97.28 CNY");
        assertThat(show.out().lines().filter(l -> l.matches("^ ?\\d .*")).map(l -> l.replaceAll(" +", " ").strip()).toList())
                .containsExactly("1 USAGE M1 2026-10-15..2026-10-24 1 2026-01-01 10.000 2.61 26.10",
                        "2 USAGE M1 2026-10-25..2026-10-31 2 2026-01-01 7.000 3.13 21.91",
                        "3 USAGE M1 2026-11-01..2026-11-14 2 2026-11-01 14.000 3.36 47.04",
                        "4 FIXED - 2026-10-15..2026-10-31 - 2026-01-01 - 2.00 1.10",
                        "5 FIXED - 2026-11-01..2026-11-14 - 2026-11-01 - 2.50 1.13");

        TestCli.Run csv = run("bill", "export", "--cycle", "2026-11", "--format", "csv", "--store", url);
        List<String> rows = csv.out().lines().toList();
        assertThat(rows).hasSize(6);
        assertThat(rows.get(0)).startsWith("bill_id,account_id,cycle,version,replaces_bill_id,line_no,kind");
        assertThat(rows.get(2)).endsWith(",2,USAGE,M1,2026-10-25,2026-10-31,residential-gas,2026-01-01,2,2026,7.000,3.13,21.91,0,97.28");

        assertThat(run("bill", "run", "--cycle", "2026-11", "--store", url).out()).contains("new 0, re-billed 0, unchanged 1");
        assertThat(run("bill", "run", "--cycle", "2026-12", "--dry-run", "--store", url).out()).contains("DRY RUN", "new 1");
        org.meterhub.app.security.AuditRows.expect(url, "bill run", "cycle:2026-12", "dry-run");
        org.meterhub.app.security.AuditRows.expect(url, "bill run", "cycle:2026-10", "");
        assertThat(run("bill", "show", "--account", "R1", "--cycle", "2026-12", "--store", url).exit()).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void prepaidStatementRunAndShow() {
        // R1's meter becomes an IC-card money meter: reports of 200.00 and 204.00 CNY around a 100.00 top-up
        try (var db = org.meterhub.engine.jdbc.SqlDatabase.open(url)) {
            var ledger = new org.meterhub.engine.prepaid.JdbcLedgerStateStore(db);
            for (String[] r : new String[][] {{"2026-10-14", "200.00"}, {"2026-11-14", "204.00"}}) {
                ledger.save(new org.meterhub.engine.prepaid.LedgerState("M1", org.meterhub.engine.prepaid.BalanceUnit.CNY,
                        at(LocalDate.of(2026, 9, 1), 0), 0, new java.math.BigDecimal("500.00"), at(LocalDate.parse(r[0]), 23), 0,
                        new java.math.BigDecimal(r[1]), null, java.math.BigDecimal.ZERO, false, false, false, false));
            }
            new org.meterhub.engine.prepaid.PurchaseStore(db).addAll(List.of(new org.meterhub.engine.prepaid.Purchase("CARD-1", "M1",
                    at(LocalDate.of(2026, 11, 1), 10), new java.math.BigDecimal("100.00"), org.meterhub.engine.prepaid.BalanceUnit.CNY)));
        }
        run("tariff", "load", dir.resolve("tariffs.yaml").toString(), "--store", url);
        assertThat(run("bill", "run", "--cycle", "2026-11", "--store", url).out()).contains("new 0,", "prepaid (meterhub statement run) 1");
        assertThat(run("statement", "run", "--cycle", "2026-10", "--store", url).out()).contains("prepaid accounts 1: new 1");
        assertThat(run("statement", "run", "--cycle", "2026-11", "--store", url).out()).contains("prepaid accounts 1: new 1");
        assertThat(run("statement", "run", "--cycle", "2026-11", "--store", url).out()).contains("new 0, restated 0, unchanged 1");
        TestCli.Run show = run("statement", "show", "--account", "R1", "--cycle", "2026-11", "--store", url);
        assertThat(show.out()).contains("prepaid statement of meter M1 (credit in CNY)", "statement ", "account R1  cycle 2026-11  version 1",
                "total 97.28 CNY", "opening balance 200.00 CNY (meter report 2026-10-14 23:00)",
                "top-ups         100.00 CNY (1 purchases between the two reports)", "closing balance 204.00 CNY (meter report 2026-11-14 23:00)",
                "RECONCILIATION  meter deducted 96.00 CNY - tariff engine 95.05 CNY (the gas lines above) = 0.95 CNY");
        assertThat(run("statement", "show", "--account", "R1", "--cycle", "2026-12", "--store", url).exit()).isEqualTo(Main.EXIT_USAGE);
        org.meterhub.app.security.AuditRows.expect(url, "statement run", "cycle:2026-11", "");
    }

    @Test
    void variants() {
        run("tariff", "load", dir.resolve("tariffs.yaml").toString(), "--store", url);
        assertThat(run("tariff", "variant", "--account", "R1", "--set", "boiler", "--store", url).out()).contains("account R1: variants boiler");
        TestCli.Run bad = run("tariff", "variant", "--account", "R1", "--set", "mansion", "--store", url);
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err()).contains("--set: variant \"mansion\" is not defined");
    }

    @Test
    void missingTariffIsOneLine() {
        TestCli.Run none = run("bill", "run", "--cycle", "2026-11", "--store", url);
        assertThat(none.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(none.err().strip()).isEqualTo("meterhub: bill run 2026-11: no tariff for residential accounts (e.g. R1); load one with meterhub tariff load");
        run("tariff", "load", dir.resolve("tariffs.yaml").toString(), "--store", url);
        TestCli.Run early = run("bill", "run", "--cycle", "2025-12", "--store", url);
        assertThat(early.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(early.err().strip()).isEqualTo("meterhub: bill run 2025-12: no version of tariff residential-gas covers"
                + " 2025-11-15..2025-12-14 (its first version is from 2026-01-01)");
    }

    @Test
    void badTariffFilesAreOneLineErrorsAndStoreNothing() throws IOException {
        assertThat(badFile(TARIFFS.replace("price: 3.92", "price: -3.92")))
                .matches("meterhub: .*tariffs.yaml:\\d+: tariffs\\[0\\]\\.versions\\[0\\]\\.tiers\\[2\\]\\.price: must not be negative, got -3.92");
        assertThat(badFile(TARIFFS.replace("until: \"2026-11-01\"", "until: \"2026-10-01\"")))
                .matches("meterhub: .*tariffs.yaml:\\d+: tariffs\\[0\\]: tariff residential-gas: versions\\[0\\]\\.until: gap: no version covers"
                        + " 2026-10-01 to 2026-10-31 \\(the next version starts 2026-11-01\\)");
        assertThat(badFile(TARIFFS.replace("until: \"2026-11-01\"", "until: \"2026-12-01\"")))
                .contains("versions[0].until: overlap: runs to 2026-11-30 but the next version starts 2026-11-01");
        assertThat(badFile(TARIFFS.replace("monthly: 2.00}", "monthly: 2.00, vat: 0.09}"))).contains("unknown field \"vat\"");
        assertThat(badFile(TARIFFS.replace("{up-to-m3: 500, price: 3.13}", "{up-to-m3: 300, price: 3.13}")))
                .contains("tiers: [1].up-to-m3: bounds must increase");
        try (TimeSeriesStore store = StoreFactory.open(url);
             org.meterhub.engine.billing.Billing b = org.meterhub.engine.billing.Billing.open(store, url)) {
            assertThat(b.tariffs().book().tariffs()).isEmpty();
        }
    }

    private String badFile(String yaml) throws IOException {
        Path f = dir.resolve("tariffs.yaml");
        Files.writeString(f, yaml);
        TestCli.Run r = run("tariff", "load", f.toString(), "--store", url);
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        return r.err().strip();
    }

    private static TestCli.Run run(String... args) {
        return TestCli.meterhub(args);
    }

    private static Instant at(LocalDate d, int hour) {
        return d.atTime(hour, 0).atZone(ZONE).toInstant();
    }
}
