package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * {@link LedgerStateStore} in the store's table {@code prepaid_ledger} (migration V5); the same SQL
 * on SQLite and PostgreSQL; each report is also appended to {@code prepaid_balance_reports} (V14,
 * read by {@link JdbcBalanceReports}). One upsert per balance report, in its own transaction, so a crash
 * loses at most the report being handled (the meter repeats its balance in the next uplink).
 */
public final class JdbcLedgerStateStore implements LedgerStateStore {
    private static final String UPSERT = "insert into prepaid_ledger (meter_id, unit, anchor_ms, anchor_volume_l,"
            + " anchor_balance, last_ms, last_volume_l, last_reported, last_expected, purchases_applied, mismatch, low,"
            + " overdraft, replacement_issued) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " on conflict (meter_id) do update set unit = excluded.unit, anchor_ms = excluded.anchor_ms,"
            + " anchor_volume_l = excluded.anchor_volume_l, anchor_balance = excluded.anchor_balance,"
            + " last_ms = excluded.last_ms, last_volume_l = excluded.last_volume_l,"
            + " last_reported = excluded.last_reported, last_expected = excluded.last_expected,"
            + " purchases_applied = excluded.purchases_applied, mismatch = excluded.mismatch, low = excluded.low,"
            + " overdraft = excluded.overdraft, replacement_issued = excluded.replacement_issued";

    private final SqlDatabase db;

    public JdbcLedgerStateStore(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public List<LedgerState> loadAll() {
        return db.tx("load prepaid ledger", c -> SqlDatabase.query(c, "select meter_id, unit, anchor_ms, anchor_volume_l,"
                + " anchor_balance, last_ms, last_volume_l, last_reported, last_expected, purchases_applied, mismatch,"
                + " low, overdraft, replacement_issued from prepaid_ledger order by meter_id", ps -> { }, rs -> {
                    String expected = rs.getString(9);
                    return new LedgerState(rs.getString(1), BalanceUnit.valueOf(rs.getString(2)),
                            Instant.ofEpochMilli(rs.getLong(3)), rs.getLong(4), new BigDecimal(rs.getString(5)),
                            Instant.ofEpochMilli(rs.getLong(6)), rs.getLong(7), new BigDecimal(rs.getString(8)),
                            expected == null ? null : new BigDecimal(expected), new BigDecimal(rs.getString(10)),
                            rs.getInt(11) != 0, rs.getInt(12) != 0, rs.getInt(13) != 0, rs.getInt(14) != 0);
                }));
    }

    @Override
    public void save(LedgerState s) {
        db.tx("save prepaid ledger", c -> {
            // the report itself is kept too: per-cycle statements reconcile against the balances at the cycle's ends
            SqlDatabase.update(c, "insert into prepaid_balance_reports (meter_id, time_ms, volume_l, balance, unit)"
                    + " values (?, ?, ?, ?, ?) on conflict (meter_id, time_ms) do nothing", ps -> {
                        ps.setString(1, s.meterId());
                        ps.setLong(2, s.lastTime().toEpochMilli());
                        ps.setLong(3, s.lastVolumeL());
                        ps.setString(4, s.lastReported().toPlainString());
                        ps.setString(5, s.unit().name());
                    });
            return SqlDatabase.update(c, UPSERT, ps -> bind(ps, s));
        });
    }

    private static void bind(PreparedStatement ps, LedgerState s) throws SQLException {
        ps.setString(1, s.meterId());
        ps.setString(2, s.unit().name());
        ps.setLong(3, s.anchorTime().toEpochMilli());
        ps.setLong(4, s.anchorVolumeL());
        ps.setString(5, s.anchorBalance().toPlainString());
        ps.setLong(6, s.lastTime().toEpochMilli());
        ps.setLong(7, s.lastVolumeL());
        ps.setString(8, s.lastReported().toPlainString());
        ps.setString(9, s.lastExpected() == null ? null : s.lastExpected().toPlainString());
        ps.setString(10, s.purchasesApplied().toPlainString());
        ps.setInt(11, s.mismatch() ? 1 : 0);
        ps.setInt(12, s.low() ? 1 : 0);
        ps.setInt(13, s.overdraft() ? 1 : 0);
        ps.setInt(14, s.replacementIssued() ? 1 : 0);
    }
}
