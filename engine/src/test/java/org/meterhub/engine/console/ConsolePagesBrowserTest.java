package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimationMethod;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.TrueUp;
import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.DistrictBalanceRun;
import org.meterhub.engine.leak.JdbcValveDecisionLog;
import org.meterhub.engine.leak.NetworkBalance;
import org.meterhub.engine.leak.ValveCommander;
import org.meterhub.engine.leak.ValveDecision;
import org.meterhub.engine.lifecycle.GasType;
import org.meterhub.engine.lifecycle.JdbcMeterLifecycle;
import org.meterhub.engine.lifecycle.MeterRecord;
import org.meterhub.engine.lifecycle.MeterState;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.SqliteStore;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The District, Gateways and Meter-record parts of the console in a real headless Chromium, on a SQLite store:
 * district D1 is the year-of-hours meter behind an inlet meter that, for the last 4 days, delivers 200 L/h more
 * than the customer takes. The network balance run (what {@code meterhub balance} runs) raises its alarm from
 * those days; the District page's chart holds the same days with the uncertainty band, and the alarm. A
 * gateway's status row shows on the Gateways page; a valve decision, an estimate with its true-up and the
 * lifecycle record show on the meter page.
 */
class ConsolePagesBrowserTest {
    static final Instant NOW = ConsoleBrowserTest.NOW;
    static final String METER = ConsoleBrowserTest.METER;
    static final String INLET = "D1-INLET";
    static final int LEAK_DAYS = 4;
    static final long LEAK_L_PER_HOUR = 200;

    @Test
    void districtGatewaysAndMeterRecordsRenderInTheBrowser(@TempDir Path dir) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (SqliteStore store = new SqliteStore(dir.resolve("console.db"));
             SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("console.db"))) {
            ConsoleBrowserTest.writeYearOfHours(store);
            LocalDate today = LocalDate.ofInstant(NOW, store.rollupZone());
            writeInlet(store, today);
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("ops.lee", Role.OPERATOR, "correct horse battery".toCharArray(), "test");
            AlarmService alarms = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(), clock);

            // The balance run over the page's default days raises the district's alarm, as `meterhub balance` would.
            LocalDate from = today.minusDays(DistrictPage.DEFAULT_DAYS);
            DistrictBalanceRun.Result run = new DistrictBalanceRun(store, NetworkBalance.defaults(), alarms, new BigDecimal("1.5"))
                    .run("D1", from, today, store.rollupZone());
            assertThat(run.alarms()).hasSize(1);
            long beyond = run.days().stream().filter(d -> d.balance().map(NetworkBalance.DayBalance::exceeds).orElse(false)).count();
            assertThat(beyond).isEqualTo(LEAK_DAYS);

            Alarm burst = alarms.raise(AlarmKind.BURST, METER, "flow 4.2 m3/h for 20 min", OptionalLong.of(1_400), NOW.minusSeconds(3600));
            JdbcValveDecisionLog valves = new JdbcValveDecisionLog(db);
            valves.record(new ValveDecision(burst.id(), METER, true, "BURST: the valve policy closes on a burst",
                    NOW.minusSeconds(3590), Optional.empty(), Optional.empty()));
            valves.record(new ValveDecision(burst.id(), METER, true, "BURST: the valve policy closes on a burst",
                    NOW.minusSeconds(3590), Optional.of(ValveCommander.ValveOutcome.CLOSED), Optional.of(NOW.minusSeconds(3570))));
            JdbcEstimationRecords estimates = new JdbcEstimationRecords(db);
            estimates.save(new Estimate("A-0101", METER, YearMonth.of(2026, 10), 61_230, 1_000_000, 1_061_230,
                    EstimationMethod.LAST_MONTH_DAILY_AVERAGE, false, "3 failed reads; 2026-09 daily average 2041 L x 30 days",
                    Instant.parse("2026-10-15T02:00:00Z")));
            estimates.save(new TrueUp("A-0101", METER, YearMonth.of(2026, 10), 61_230, 1_125_000,
                    Instant.parse("2026-11-26T02:00:00Z"), 63_770, 2_540, Instant.parse("2026-11-26T03:00:00Z")));
            JdbcMeterLifecycle life = new JdbcMeterLifecycle(db);
            life.add(new MeterRecord(METER, "Goldcard", "G1.6 AMR", "GC2305-17731", LocalDate.of(2023, 3, 2),
                    LocalDate.of(2023, 5, 17), GasType.NATURAL_GAS, false, List.of()), LocalDate.of(2023, 5, 20), NOW);
            life.change(METER, LocalDate.of(2023, 6, 1), MeterState.ISSUED, "issued (new connection)", NOW);
            life.change(METER, LocalDate.of(2023, 6, 3), MeterState.INSTALLED, "installed at B0101", NOW);
            new JdbcGatewayStatus(db).save(new GatewayStatus("gw-north-1", NOW.minusSeconds(8), 9, 10, 182, 200, 48_211, 37,
                    1_234, "OK", List.of(
                            new org.meterhub.engine.gateways.BusStatus("dtu-cjt188", "DTU-0001", true, 240, 0,
                                    java.time.Duration.ofHours(1), NOW.minusSeconds(12), null, null),
                            new org.meterhub.engine.gateways.BusStatus("serial-cjt188", "/dev/ttyS1", true, 30, 10,
                                    java.time.Duration.ofHours(1), NOW.minusSeconds(30), NOW.minusSeconds(95), "bad_reply"),
                            new org.meterhub.engine.gateways.BusStatus("dtu-cjt188", "DTU-0010", false, 0, 0,
                                    java.time.Duration.ofHours(1), NOW.minusSeconds(7_200), NOW.minusSeconds(7_300), "closed"))));
            new JdbcGatewayStatus(db).save(new GatewayStatus("gw-south-2", NOW.minusSeconds(600), 0, 4, 0, 80, 9_120, 412,
                    51_877, "NEARLY_FULL"));

            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder builder = ApiServer.builder(store, ConsoleBrowserTest.ZONE, clock).threads(2).alarms(alarms)
                    .filter(new AuthFilter(users, throttle, open, clock));
            builder.context("/console/", new ConsoleHandler(store, builder.reports(), clock, users, throttle,
                    new org.meterhub.engine.query.LastReadings(db), ConsoleSettings.defaults(), db));
            try (ApiServer api = builder.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();
                WebDriver browser = ConsoleBrowserTest.chromium(dir.resolve("profile"));
                try {
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                    JavascriptExecutor js = (JavascriptExecutor) browser;
                    browser.get(base + "/console/login");
                    browser.findElement(By.id("user")).sendKeys("ops.lee");
                    browser.findElement(By.id("password")).sendKeys("correct horse battery");
                    browser.findElement(By.id("login")).click();

                    // Fleet links the district; its page charts every day with the band, and the alarm.
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("districts")));
                    browser.findElement(By.cssSelector("#districts a")).click();
                    wait.until(d -> js.executeScript("return window.districtChart ? window.districtChart.data[0].length : 0")
                            instanceof Long n && n > 0);
                    assertThat(browser.getCurrentUrl()).endsWith("/console/districts/D1");
                    assertThat((Long) js.executeScript("return window.districtChart.data[0].length"))
                            .isEqualTo(run.days().size()).isEqualTo(DistrictPage.DEFAULT_DAYS);
                    for (int i = 0; i < run.days().size(); i++) {
                        NetworkBalance.DayBalance b = run.days().get(i).balance().orElseThrow();
                        List<?> point = (List<?>) js.executeScript("var c = window.districtChart, i = arguments[0];"
                                + " return [c.data[1][i], c.data[2][i], c.data[3][i], c.data[4][i]];", i);
                        assertThat(((Number) point.get(0)).doubleValue()).as("inlet, day %d", i).isCloseTo(b.supplyL() / 1000.0, within());
                        assertThat(((Number) point.get(1)).doubleValue()).isCloseTo(b.customersL() / 1000.0, within());
                        assertThat(((Number) point.get(2)).doubleValue()).as("band top")
                                .isCloseTo((b.customersL() + b.uncertaintyL()) / 1000.0, within());
                        assertThat(((Number) point.get(3)).doubleValue()).as("band bottom")
                                .isCloseTo((b.customersL() - b.uncertaintyL()) / 1000.0, within());
                        assertThat(b.uncertaintyL()).isPositive();
                    }
                    assertThat(js.executeScript("return JSON.stringify(window.districtChart.bands.map(b => b.series))"))
                            .isEqualTo("[[3,4]]");
                    String days = browser.findElement(By.cssSelector("table[data-report=district_days]")).getText();
                    assertThat(days.split("BEYOND", -1)).hasSize(LEAK_DAYS + 1);
                    assertThat(browser.findElement(By.cssSelector("table[data-report=district_alarms]")).getText())
                            .contains("NETWORK_IMBALANCE").contains("district:D1").contains("RAISED");
                    assertThat(browser.findElement(By.cssSelector("[data-field=loss_m3]")).getText())
                            .isEqualTo(BigDecimal.valueOf(LEAK_DAYS * 24 * LEAK_L_PER_HOUR, 3).toPlainString());
                    shot(browser, "district");

                    // Gateways: both gateways with their backlog, DTUs and failed polls.
                    browser.findElement(By.linkText("Gateways")).click();
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("gateways")));
                    WebElement north = browser.findElement(By.id("gateway-gw-north-1"));
                    assertThat(north.findElement(By.className("backlog")).getText()).isEqualTo("1234");
                    assertThat(north.findElement(By.className("dtus")).getText()).isEqualTo("9 / 10");
                    assertThat(north.getText()).contains("8 s ago").doesNotContain("not reporting");
                    assertThat(north.getAttribute("class")).isEmpty();
                    WebElement south = browser.findElement(By.id("gateway-gw-south-2"));
                    assertThat(south.findElement(By.className("backlog")).getText()).isEqualTo("51877");
                    assertThat(south.findElement(By.className("polls-failed")).getText()).isEqualTo("412");
                    assertThat(south.findElement(By.className("level")).getText()).isEqualTo("NEARLY_FULL");
                    assertThat(south.getAttribute("class")).isEqualTo("stale");
                    assertThat(south.getText()).contains("10 min ago").contains("not reporting");
                    // Buses: each with its state by the default thresholds (degraded from 20 % failed, down when not connected)
                    assertThat(north.findElement(By.className("bus-states")).getText()).isEqualTo("1 ok, 1 degraded, 1 down");
                    List<WebElement> buses = browser.findElements(By.cssSelector("#buses tr.bus"));
                    assertThat(buses).extracting(e -> e.getAttribute("data-bus")).containsExactly("DTU-0001", "/dev/ttyS1", "DTU-0010");
                    assertThat(buses.get(0).findElement(By.className("state")).getText()).isEqualTo("ok");
                    assertThat(buses.get(0).findElement(By.className("bus-ok")).getText()).isEqualTo("240");
                    assertThat(buses.get(1).findElement(By.className("state")).getText())
                            .isEqualTo("degraded\n25.0 % of polls failed in the last 1 h (degraded from 20 %)");
                    assertThat(buses.get(1).findElement(By.className("last-error")).getText()).startsWith("bad_reply").contains("95 s ago");
                    assertThat(buses.get(2).findElement(By.className("state")).getText()).isEqualTo("down\nnot connected");
                    assertThat(buses.get(2).findElement(By.className("connected")).getText()).isEqualTo("no");
                    assertThat(buses.get(2).findElement(By.className("last-ok")).getText()).contains("2 h ago");
                    shot(browser, "gateways");

                    // Meter page: the valve decision and the meter's answer, the estimate and its true-up, the record.
                    browser.get(base + "/console/meters/" + METER);
                    WebElement decisions = browser.findElement(By.cssSelector("table[data-report=valve_decisions]"));
                    assertThat(decisions.getText()).contains("close the valve").contains("meter answered").contains("CLOSED")
                            .contains(String.valueOf(burst.id()));
                    assertThat(browser.findElement(By.cssSelector("table[data-report=estimates]")).getText())
                            .contains("2026-10").contains("61.230").contains("last_month_daily_average");
                    assertThat(browser.findElement(By.cssSelector("table[data-report=true_ups]")).getText())
                            .contains("63.770").contains("2.540");
                    assertThat(browser.findElement(By.cssSelector("[data-field=brand]")).getText()).isEqualTo("Goldcard");
                    assertThat(browser.findElement(By.cssSelector("[data-field=serial]")).getText()).isEqualTo("GC2305-17731");
                    assertThat(browser.findElement(By.cssSelector("[data-field=first_verification]")).getText())
                            .isEqualTo("2023-05-17");
                    assertThat(browser.findElement(By.cssSelector("[data-field=state]")).getText()).isEqualTo("INSTALLED");
                    assertThat(browser.findElement(By.cssSelector("[data-field=delivered]")).getText()).isEqualTo("new");
                    assertThat(browser.findElement(By.cssSelector("table[data-report=meter_states]")).getText())
                            .contains("installed at B0101");
                    js.executeScript("arguments[0].scrollIntoView(); window.scrollBy(0, -60);", decisions);
                    shot(browser, "meter-records");
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /**
     * The inlet of district D1 over the last 40 days: hour by hour what the customer used, plus 200 L/h on the
     * last {@link #LEAK_DAYS} days before today (a leak between the inlet and the customer).
     */
    private static void writeInlet(SqliteStore store, LocalDate today) {
        Instant leakFrom = today.minusDays(LEAK_DAYS).atStartOfDay(store.rollupZone()).toInstant();
        Instant leakTo = today.atStartOfDay(store.rollupZone()).toInstant();
        Instant start = NOW.minus(Duration.ofDays(40));
        List<ConsumptionInterval> customer = store.intervals(METER, start, NOW);
        store.saveProfile(new MeterProfile(new MeterInfo(INLET, Medium.GAS, 0, customer.get(0).start(),
                MeterInfo.CJT188_CAPACITY_L), "AMR", null, "1.0", 40_000L, LocalDate.of(2022, 1, 10), "D1", "D1-STATION",
                MeterRole.DISTRICT_INLET));
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        long register = 0;
        for (ConsumptionInterval c : customer) {
            boolean leak = !c.start().isBefore(leakFrom) && c.start().isBefore(leakTo);
            long used = c.volumeL() + (leak ? LEAK_L_PER_HOUR : 0);
            register += used;
            intervals.add(new ConsumptionInterval(INLET, c.start(), c.end(), used, Set.of()));
            readings.add(new Reading(INLET, c.end(), c.end().plusSeconds(3), register, ReadingSource.CJT188, Set.of(), 0));
        }
        store.append(readings, intervals);
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.0005);
    }

    private static void shot(WebDriver browser, String name) throws Exception {
        Files.createDirectories(ConsoleBrowserTest.SHOTS);
        Files.write(ConsoleBrowserTest.SHOTS.resolve(name + ".png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
