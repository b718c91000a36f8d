package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * The balance reports of prepaid meters as the shadow ledger took them in (table
 * {@code prepaid_balance_reports}, V14, appended by {@link JdbcLedgerStateStore}), and the purchases
 * of a span: what a per-cycle statement reconciles against.
 */
public final class JdbcBalanceReports {
    private final SqlDatabase db;

    public JdbcBalanceReports(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** A stored balance report: the meter's credit and register at a moment. */
    public record Balance(String meterId, Instant time, long volumeL, BigDecimal balance, BalanceUnit unit) {
    }

    /** The latest report of the meter at or before {@code t}. */
    public Optional<Balance> atOrBefore(String meterId, Instant t) {
        return db.tx("balance report", c -> SqlDatabase.query(c, "select meter_id, time_ms, volume_l, balance, unit"
                + " from prepaid_balance_reports where meter_id = ? and time_ms <= ? order by time_ms desc limit 1", ps -> {
                    ps.setString(1, meterId);
                    ps.setLong(2, t.toEpochMilli());
                }, rs -> new Balance(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getLong(3),
                        new BigDecimal(rs.getString(4)), BalanceUnit.valueOf(rs.getString(5))))).stream().findFirst();
    }

    /** Purchases of the meter with time in (from, to], oldest first. */
    public List<Purchase> purchases(String meterId, Instant from, Instant to) {
        return db.tx("purchases of a span", c -> SqlDatabase.query(c, "select purchase_id, meter_id, time_ms, amount, unit"
                + " from prepaid_purchases where meter_id = ? and time_ms > ? and time_ms <= ? order by time_ms, purchase_id",
                ps -> {
                    ps.setString(1, meterId);
                    ps.setLong(2, from.toEpochMilli());
                    ps.setLong(3, to.toEpochMilli());
                }, rs -> new Purchase(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        new BigDecimal(rs.getString(4)), BalanceUnit.valueOf(rs.getString(5)))));
    }
}
