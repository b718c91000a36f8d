package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.PurposePolicy;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.SqliteStore;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An operator, who must state a purpose, opens a meter in a real headless Chromium: the console asks why, the answer
 * opens the page and rides along its links, the navigation bar's meter search sends one too, and the audit rows keep
 * each purpose.
 */
class ConsolePurposeBrowserTest {
    static final String METER = ConsoleBrowserTest.METER;

    @Test
    void theConsoleAsksWhyAndKeepsTheAnswer(@TempDir Path dir) throws Exception {
        Clock clock = Clock.fixed(ConsoleBrowserTest.NOW, ZoneOffset.UTC);
        try (SqliteStore store = new SqliteStore(dir.resolve("console.db"));
             SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("console.db"))) {
            ConsoleBrowserTest.writeYearOfHours(store);
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("ops.lee", Role.OPERATOR, "correct horse battery".toCharArray(), "test");
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder builder = ApiServer.builder(store, ConsoleBrowserTest.ZONE, clock).threads(2)
                    .purposes(PurposePolicy.defaults()).filter(new AuthFilter(users, throttle, open, clock));
            builder.context("/console/", new ConsoleHandler(store, builder.reports(), clock, users, throttle,
                    new org.meterhub.engine.query.LastReadings(db), ConsoleSettings.defaults(), db, PurposePolicy.defaults()));
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
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-tile=online]")));

                    browser.get(base + "/console/meters/" + METER);
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("purpose")));
                    assertThat(browser.findElement(By.cssSelector("p.error")).getText()).contains("Why do you open meter " + METER);
                    assertThat(browser.findElements(By.id("chart"))).as("nothing of the household yet").isEmpty();
                    browser.findElement(By.id("purpose")).sendKeys("customer enquiry");
                    browser.findElement(By.id("purpose-go")).click();
                    wait.until(d -> js.executeScript("return window.meterChart ? window.meterChart.data[0].length : 0")
                            instanceof Long n && n > 0);
                    browser.findElement(By.linkText("day")).click();
                    wait.until(d -> js.executeScript("return window.meterChart && window.meterChart.data[0].length") instanceof Long n
                            && n >= 366);
                    assertThat(browser.getCurrentUrl()).contains("step=day").contains("purpose=customer+enquiry");

                    // The navigation bar's meter search with a purpose goes straight to the page.
                    browser.findElement(By.cssSelector("nav input[name=id]")).sendKeys(METER);
                    browser.findElement(By.cssSelector("nav input[name=purpose]")).sendKeys("meter fault");
                    browser.findElement(By.cssSelector("nav button")).click();
                    wait.until(ExpectedConditions.urlContains("purpose=meter+fault"));
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart")));
                } finally {
                    browser.quit();
                }
            }
            List<AuditEntry> audit = store.auditTrail(ConsoleBrowserTest.NOW.minusSeconds(60), ConsoleBrowserTest.NOW.plusSeconds(60));
            List<String> meterReads = audit.stream().filter(e -> e.action().equals("GET /console/meters/{id}"))
                    .map(AuditEntry::purpose).toList();
            assertThat(meterReads).containsExactly("customer enquiry", "customer enquiry", "meter fault");
        }
    }
}
