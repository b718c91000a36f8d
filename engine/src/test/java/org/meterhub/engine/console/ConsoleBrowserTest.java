package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
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
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's chromium and chromium-driver, driven by
 * Selenium) against the engine's HTTP server with authentication, on a SQLite store holding a
 * year of hourly data for one meter: log in, the meter's chart has the API's data points, and
 * acknowledging and resolving an alarm in the browser changes it in the store.
 */
class ConsoleBrowserTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String METER = "30000000000101";
    /** Where screenshots go: -Dconsole.screenshots=../docs/console refreshes the docs' pictures. */
    static final Path SHOTS = Path.of(System.getProperty("console.screenshots", "target/console-screenshots"));

    @Test
    void operatorLogsInReadsAMeterAndWorksAnAlarm(@TempDir Path dir) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (SqliteStore store = new SqliteStore(dir.resolve("console.db"));
             SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("console.db"))) {
            writeYearOfHours(store);
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("ops.lee", Role.OPERATOR, "correct horse battery".toCharArray(), "test");
            AlarmService alarms = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(), clock);
            // Deadlines run from when the alarm was raised: this one was raised two days ago, so it is overdue now.
            Alarm leak = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                    Clock.fixed(NOW.minus(Duration.ofDays(2)), ZoneOffset.UTC)).raise(AlarmKind.CONTINUOUS_FLOW, METER,
                    "no flow-free hour in 24 h <script>alert(1)</script>", OptionalLong.of(900), NOW.minus(Duration.ofDays(2)));
            Alarm fault = alarms.raise(AlarmKind.METER_FAULT, METER, "register went backwards", OptionalLong.empty(),
                    NOW.minusSeconds(600));
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder builder = ApiServer.builder(store, ZONE, clock).threads(2).alarms(alarms)
                    .coverage(new org.meterhub.engine.coverage.CoverageQuery(store,
                            new org.meterhub.engine.estimation.JdbcEstimationRecords(db),
                            new org.meterhub.engine.attempt.JdbcReadAttempts(db),
                            org.meterhub.engine.coverage.CoverageSettings.defaults(), clock))
                    .filter(new AuthFilter(users, throttle, open, clock));
            builder.context("/console/", new ConsoleHandler(store, builder.reports(), clock, users, throttle,
                    new org.meterhub.engine.query.LastReadings(db), ConsoleSettings.defaults(), db));
            try (ApiServer api = builder.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();
                WebDriver browser = chromium(dir.resolve("profile"));
                try {
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                    JavascriptExecutor js = (JavascriptExecutor) browser;

                    browser.get(base + "/console/meters/" + METER);
                    wait.until(ExpectedConditions.urlContains("/console/login"));
                    shot(browser, "login");
                    logIn(browser, "ops.lee", "wrong password here");
                    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("p.error"), "wrong user"));
                    logIn(browser, "ops.lee", "correct horse battery");
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-tile=online]")));
                    assertThat(browser.findElement(By.cssSelector("[data-tile=online]")).getText()).isEqualTo("1");
                    assertThat(browser.findElement(By.id("alarms-by-kind")).getText()).contains("CONTINUOUS_FLOW 1 1")
                            .contains("METER_FAULT 1 0");
                    var session = browser.manage().getCookieNamed(AuthFilter.SESSION_COOKIE);
                    assertThat(session.isHttpOnly()).isTrue();
                    assertThat(session.getSameSite()).isEqualTo("Strict");
                    assertThat(browser.findElement(By.cssSelector("[data-field=monthly_target_percent]")).getText())
                            .startsWith("98");
                    shot(browser, "fleet");

                    // Meter page: the chart holds the API's hourly buckets of the last 31 days.
                    browser.get(base + "/console/meters/" + METER);
                    wait.until(d -> js.executeScript("return window.meterChart ? window.meterChart.data[0].length : 0")
                            instanceof Long n && n > 0);
                    Instant to = NOW.minus(Duration.ofHours(1)); // the last reading
                    var expected = builder.reports().consumption(METER, to.minus(Duration.ofDays(31)), to, Step.HOUR);
                    assertThat((Long) js.executeScript("return window.meterChart.data[0].length"))
                            .isEqualTo(expected.rows().size()).isGreaterThan(700);
                    assertThat(((Number) js.executeScript("return window.meterChart.data[1].reduce((a, b) => a + b, 0)"))
                            .doubleValue()).isCloseTo(((Number) expected.summary().get("total_l")).doubleValue() / 1000,
                                    org.assertj.core.data.Offset.offset(0.001));
                    assertThat(browser.findElement(By.cssSelector("table[data-report=readings]")).getText())
                            .contains("low_battery");
                    assertThat(browser.findElement(By.cssSelector("table[data-report=alarms]")).getText())
                            .as("escaped, shown as text").contains("<script>alert(1)</script>");
                    shot(browser, "meter");
                    browser.findElement(By.linkText("day")).click();
                    wait.until(d -> js.executeScript("return window.meterChart && window.meterChart.data[0].length") instanceof Long n
                            && n >= 366);

                    // Alarms page: the overdue leak first; acknowledge it, then resolve it with a note.
                    browser.get(base + "/console/alarms");
                    List<WebElement> rows = browser.findElements(By.cssSelector("table.alarms tbody tr"));
                    assertThat(rows.get(0).getAttribute("id")).isEqualTo("alarm-" + leak.id());
                    assertThat(rows.get(0).getAttribute("class")).isEqualTo("overdue");
                    assertThat(rows.get(1).getAttribute("id")).isEqualTo("alarm-" + fault.id());
                    shot(browser, "alarms");
                    browser.findElement(By.cssSelector("#alarm-" + leak.id() + " button.ack")).click();
                    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#alarm-" + leak.id() + " .state"),
                            "ACKNOWLEDGED"));
                    Alarm acked = alarms.find(leak.id()).orElseThrow();
                    assertThat(acked.state()).isEqualTo(AlarmState.ACKNOWLEDGED);
                    assertThat(acked.acknowledgedBy()).contains("ops.lee");
                    browser.findElement(By.cssSelector("#alarm-" + leak.id() + " input.note")).sendKeys("service line repaired");
                    browser.findElement(By.cssSelector("#alarm-" + leak.id() + " button.resolve")).click();
                    wait.until(ExpectedConditions.numberOfElementsToBe(By.id("alarm-" + leak.id()), 0));
                    Alarm resolved = alarms.find(leak.id()).orElseThrow();
                    assertThat(resolved.state()).isEqualTo(AlarmState.RESOLVED);
                    assertThat(resolved.resolution()).contains("service line repaired");
                    assertThat(resolved.resolvedBy()).contains("ops.lee");

                    // The session cookie does not work from another origin (CSRF), and it is no key to the login's throttle.
                    HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create(base + "/api/v1/alarms/" + fault.id() + "/acknowledge"))
                            .header("Cookie", AuthFilter.SESSION_COOKIE + "=" + session.getValue())
                            .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(forged.statusCode()).isEqualTo(403);
                    assertThat(alarms.find(fault.id()).orElseThrow().state()).isEqualTo(AlarmState.RAISED);
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /** A year of hourly intervals and readings ending an hour before NOW; every 50th reading has a low battery. */
    static void writeYearOfHours(SqliteStore store) {
        Instant start = NOW.minus(Duration.ofDays(365)).minus(Duration.ofHours(1));
        store.saveProfile(new MeterProfile(new MeterInfo(METER, Medium.GAS, 0, start, MeterInfo.CJT188_CAPACITY_L), "AMR",
                CustomerClass.RESIDENTIAL, "1.5", 6_000L, LocalDate.of(2023, 5, 17), "D1", "B0101", MeterRole.CUSTOMER));
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        long register = 0;
        int i = 0;
        for (Instant t = start; t.isBefore(NOW.minus(Duration.ofHours(1))); t = t.plus(Duration.ofHours(1)), i++) {
            long used = 20 + (i * 37L) % 400; // litres, varied and exact
            register += used;
            Instant at = t.plus(Duration.ofHours(1));
            intervals.add(new ConsumptionInterval(METER, t, at, used, Set.of()));
            readings.add(new Reading(METER, at, at.plusSeconds(3), register, ReadingSource.CJT188,
                    i % 50 == 0 ? EnumSet.of(ReadingFlag.LOW_BATTERY) : Set.of(), 0));
        }
        for (int k = 0; k < readings.size(); k += 1000) {
            store.append(readings.subList(k, Math.min(k + 1000, readings.size())),
                    intervals.subList(k, Math.min(k + 1000, intervals.size())));
        }
    }

    private static void logIn(WebDriver browser, String user, String password) {
        browser.findElement(By.id("user")).clear();
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login")).click();
    }

    /** Debian's Chromium and its driver, headless, with a fresh profile and nothing phoning home. */
    static WebDriver chromium(Path profile) {
        File chromium = new File("/usr/bin/chromium");
        File driver = new File("/usr/bin/chromedriver");
        assertThat(chromium).as("Debian package chromium (scripts/services.sh installs it)").exists();
        assertThat(driver).as("Debian package chromium-driver (scripts/services.sh installs it)").exists();
        ChromeOptions options = new ChromeOptions().setBinary(chromium).addArguments("--headless", "--no-sandbox",
                "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,1000", "--user-data-dir=" + profile);
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver).build(), options);
    }

    private static void shot(WebDriver browser, String name) throws Exception {
        Files.createDirectories(SHOTS);
        Files.write(SHOTS.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
