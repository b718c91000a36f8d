package org.meterhub.engine.prepaid;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * The ledger's work items in the store's {@code work_items} table (migration V3), next to the
 * estimation cycle's: field staff get one list. A replace-meter item names the meter, the account it
 * serves when the store knows one, and the month (in the utility's zone) of the overdraft; the same
 * item is stored once however often the ledger repeats it.
 */
public final class JdbcWorkItems {
    /** One stored item, as the list shows it (account may be unknown). */
    public record Row(long id, String kind, String meterId, String accountId, String cycle, String reason,
                      Instant createdAt) {
    }

    private final SqlDatabase db;
    private final ZoneId zone;

    public JdbcWorkItems(SqlDatabase db, ZoneId zone) {
        this.db = Objects.requireNonNull(db, "db");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /** @return false when this item was stored before */
    public boolean save(WorkItem item) {
        String cycle = YearMonth.from(item.time().atZone(zone)).toString();
        return db.tx("save work item", c -> {
            List<String> accounts = SqlDatabase.query(c, "select account_id from accounts where meter_id = ?"
                    + " order by account_id", ps -> ps.setString(1, item.meterId()), rs -> rs.getString(1));
            return SqlDatabase.update(c, "insert into work_items (kind, meter_id, account_id, cycle, reason, created_at)"
                    + " values (?, ?, ?, ?, ?, ?) on conflict do nothing", ps -> {
                        ps.setString(1, item.kind().name());
                        ps.setString(2, item.meterId());
                        ps.setString(3, accounts.isEmpty() ? null : accounts.get(0));
                        ps.setString(4, cycle);
                        ps.setString(5, item.reason());
                        db.bindTime(ps, 6, item.time());
                    }) == 1;
        });
    }

    /** Every work item of a month (estimation and ledger alike), in the order they were recorded. */
    public List<Row> of(YearMonth cycle) {
        return db.tx("list work items", c -> SqlDatabase.query(c, "select item_id, kind, meter_id, account_id, cycle,"
                + " reason, created_at from work_items where cycle = ? order by item_id", ps -> ps.setString(1,
                cycle.toString()), rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), db.readTime(rs, 7))));
    }
}
