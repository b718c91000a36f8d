package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Purchases kept in the table {@code prepaid_purchases} of the store (SQLite or PostgreSQL; created
 * by migration V5, like every other table of the store). Amounts are stored as decimal text so that
 * no floating type ever holds money. A purchase id is the primary key: importing a file twice adds
 * nothing.
 */
public final class PurchaseStore implements AutoCloseable {
    private final SqlDatabase db;
    private final boolean owned;

    /** Opens (and migrates) the store at the URL; {@link #close()} closes that connection. */
    public PurchaseStore(String jdbcUrl) {
        this(SqlDatabase.open(jdbcUrl), true);
    }

    /** Uses a database someone else owns and closes. */
    public PurchaseStore(SqlDatabase db) {
        this(db, false);
    }

    private PurchaseStore(SqlDatabase db, boolean owned) {
        this.db = Objects.requireNonNull(db, "db");
        this.owned = owned;
    }

    /** Stores the purchases in one transaction; returns how many were new. */
    public int addAll(List<Purchase> purchases) {
        String sql = "insert into prepaid_purchases (purchase_id, meter_id, time_ms, amount, unit, imported_ms) "
                + "values (?, ?, ?, ?, ?, ?) on conflict (purchase_id) do nothing";
        long now = System.currentTimeMillis();
        return db.tx("store purchases", c -> {
            int added = 0;
            for (Purchase p : purchases) {
                added += SqlDatabase.update(c, sql, ps -> {
                    ps.setString(1, p.purchaseId());
                    ps.setString(2, p.meterId());
                    ps.setLong(3, p.time().toEpochMilli());
                    ps.setString(4, p.amount().toPlainString());
                    ps.setString(5, p.unit().name());
                    ps.setLong(6, now);
                });
            }
            return added;
        });
    }

    /** Every purchase, oldest first (to load a ledger at start). */
    public List<Purchase> all() {
        return db.tx("read purchases", c -> SqlDatabase.query(c, "select purchase_id, meter_id, time_ms, amount, unit"
                + " from prepaid_purchases order by time_ms, purchase_id", ps -> { },
                rs -> new Purchase(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        new BigDecimal(rs.getString(4)), BalanceUnit.valueOf(rs.getString(5)))));
    }

    @Override
    public void close() {
        if (owned) db.close();
    }
}
