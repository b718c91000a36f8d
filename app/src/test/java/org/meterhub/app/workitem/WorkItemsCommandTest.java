package org.meterhub.app.workitem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.prepaid.JdbcWorkItems;
import org.meterhub.engine.prepaid.WorkItem;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The prepaid ledger's replace-meter items are stored once, next to the estimation cycle's, and
 * `meterhub work-items` lists both for a month (both stores).
 */
class WorkItemsCommandTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    // 2026-11-30 17:00 UTC is already 1 December in Shanghai: the item belongs to December's list
    static final Instant OVERDRAWN = Instant.parse("2026-11-30T17:00:00Z");

    private static void workItems(String url) throws Exception {
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            store.saveAccount(new Account("A-77", "30000000000077", AccountState.IGNITED, CustomerClass.RESIDENTIAL, "D1",
                    LocalDate.of(2024, 1, 1), OVERDRAWN));
        }
        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcWorkItems items = new JdbcWorkItems(db, ZONE);
            WorkItem overdraft = new WorkItem("30000000000077", WorkItem.Kind.REPLACE_METER, OVERDRAWN,
                    "balance -12.40 CNY after overdraft");
            assertThat(items.save(overdraft)).isTrue();
            assertThat(items.save(overdraft)).as("the ledger repeats itself; the list does not").isFalse();
            assertThat(items.save(new WorkItem("30000000000088", WorkItem.Kind.REPLACE_METER, OVERDRAWN,
                    "balance -3.00 CNY after overdraft"))).as("a meter without an account").isTrue();
            new JdbcEstimationRecords(db).save(new org.meterhub.engine.estimation.WorkItem("C-1", "30000000000099",
                    YearMonth.of(2026, 12), org.meterhub.engine.estimation.WorkItem.Kind.MUST_READ, "commercial: never estimated",
                    OVERDRAWN));
            assertThat(items.of(YearMonth.of(2026, 12))).extracting(JdbcWorkItems.Row::meterId, JdbcWorkItems.Row::accountId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("30000000000077", "A-77"),
                            org.assertj.core.groups.Tuple.tuple("30000000000088", null),
                            org.assertj.core.groups.Tuple.tuple("30000000000099", "C-1"));
            assertThat(items.of(YearMonth.of(2026, 11))).isEmpty();
        }
        TestCli.Run dec = TestCli.meterhub("work-items", "--month", "2026-12", "--store", url);
        assertThat(dec.exit()).as(dec.err()).isZero();
        assertThat(dec.out()).contains("REPLACE_METER").contains("30000000000077").contains("A-77")
                .contains("MUST_READ").contains("30000000000099").contains("2026-12-01 01:00:00+08:00");
        assertThat(TestCli.meterhub("work-items", "--month", "2026-11", "--store", url).out()).contains("no work items in 2026-11");
        assertThat(TestCli.meterhub("work-items", "--month", "December", "--store", url).exit()).isEqualTo(2);
    }

    @Test
    void onSqlite(@TempDir Path dir) throws Exception {
        workItems("jdbc:sqlite:" + dir.resolve("mh.db"));
    }

    @Test
    void onPostgres() throws Exception {
        try (TestDatabases.Database db = TestDatabases.createPostgres()) {
            workItems(db.url());
        }
    }
}
