package org.meterhub.app.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.JdbcWorkItems;
import org.meterhub.engine.prepaid.WorkItem;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine;

/**
 * {@code mqtt-gateway --config}: the file's zone reaches the ledger's work items as well as the rules. A
 * replace-meter item's month is the month of the overdraft in that zone, across a DST change.
 */
class MqttGatewayZoneTest {
    // 2026-10-31 21:30 UTC: Athens has left summer time (25 Oct), so EET +2: 23:30 on 31 October. In the built-in
    // Asia/Shanghai it is 05:30 on 1 November, and on Athens' summer offset (+3) 00:30 on 1 November.
    static final Instant OVERDRAWN = Instant.parse("2026-10-31T21:30:00Z");

    @Test
    void aWorkItemIsInTheMonthOfTheConfiguredZone(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("gateway.yaml");
        Files.writeString(yaml, "zone: Europe/Athens\n");
        MqttGatewayCommand cmd = new MqttGatewayCommand();
        new CommandLine(cmd).parseArgs("--config", yaml.toString());
        IngestRules.Options options = cmd.rulesConfig.options(cmd.deadlines);
        assertThat(options.zone()).isEqualTo(ZoneId.of("Europe/Athens"));

        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            assertThat(store.readingCount()).isZero(); // schema in place
        }
        try (SqlDatabase db = SqlDatabase.open(url)) {
            MqttGatewayCommand.workItems(db, options.zone()).workItem(new WorkItem("30000000000077",
                    WorkItem.Kind.REPLACE_METER, OVERDRAWN, "balance -12.40 CNY after overdraft"));
            JdbcWorkItems items = new JdbcWorkItems(db, options.zone());
            assertThat(items.of(YearMonth.of(2026, 10))).extracting(JdbcWorkItems.Row::meterId, JdbcWorkItems.Row::cycle)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("30000000000077", "2026-10"));
            assertThat(items.of(YearMonth.of(2026, 11))).as("the built-in zone's month, and summer time's").isEmpty();
        }
    }
}
