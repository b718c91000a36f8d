package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.meterhub.engine.store.StoreException;

/**
 * Purchases kept in a table {@code prepaid_purchases} of any JDBC store (SQLite or PostgreSQL);
 * the same SQL runs on both. Amounts are stored as decimal text so that no floating type ever
 * holds money. A purchase id is the primary key: importing a file twice adds nothing.
 */
public final class PurchaseStore implements AutoCloseable {
    private static final String DDL = "CREATE TABLE IF NOT EXISTS prepaid_purchases ("
            + "purchase_id TEXT PRIMARY KEY, meter_id TEXT NOT NULL, time_ms BIGINT NOT NULL, "
            + "amount TEXT NOT NULL, unit TEXT NOT NULL, imported_ms BIGINT NOT NULL)";

    private final Connection conn;

    public PurchaseStore(String jdbcUrl) {
        try {
            conn = DriverManager.getConnection(jdbcUrl);
            try (Statement s = conn.createStatement()) {
                s.execute(DDL);
                s.execute("CREATE INDEX IF NOT EXISTS prepaid_purchases_meter ON prepaid_purchases (meter_id, time_ms)");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open purchase store " + redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
    }

    /** Stores the purchases in one transaction; returns how many were new. */
    public synchronized int addAll(List<Purchase> purchases) {
        String sql = "INSERT INTO prepaid_purchases (purchase_id, meter_id, time_ms, amount, unit, imported_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (purchase_id) DO NOTHING";
        try {
            conn.setAutoCommit(false);
            int added = 0;
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                long now = System.currentTimeMillis();
                for (Purchase p : purchases) {
                    ps.setString(1, p.purchaseId());
                    ps.setString(2, p.meterId());
                    ps.setLong(3, p.time().toEpochMilli());
                    ps.setString(4, p.amount().toPlainString());
                    ps.setString(5, p.unit().name());
                    ps.setLong(6, now);
                    added += ps.executeUpdate();
                }
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
            return added;
        } catch (SQLException e) {
            throw new StoreException("storing purchases failed: " + e.getMessage(), e);
        }
    }

    /** Every purchase, oldest first (to load a ledger at start). */
    public synchronized List<Purchase> all() {
        List<Purchase> out = new ArrayList<>();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT purchase_id, meter_id, time_ms, amount, unit FROM prepaid_purchases ORDER BY time_ms, purchase_id")) {
            while (rs.next()) {
                out.add(new Purchase(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        new BigDecimal(rs.getString(4)), BalanceUnit.valueOf(rs.getString(5))));
            }
        } catch (SQLException e) {
            throw new StoreException("reading purchases failed: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException("closing purchase store failed: " + e.getMessage(), e);
        }
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }
}
