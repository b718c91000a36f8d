package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/** Dispute cases and their events (tables {@code dispute_cases}, {@code dispute_events}, migration V10). Insert-only. */
public final class JdbcDisputes {
    private final SqlDatabase db;

    public JdbcDisputes(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    long insertCase(Connection c, String accountId, String meterId, LocalDate requested, boolean pastLife, Instant at) throws SQLException {
        return SqlDatabase.insertReturningId(c, "insert into dispute_cases (account_id, meter_id, requested_on, past_service_life, opened_at)"
                + " values (?, ?, ?, ?, ?) returning case_id", ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, meterId);
                    ps.setString(3, requested.toString());
                    ps.setInt(4, pastLife ? 1 : 0);
                    db.bindTime(ps, 5, at);
                });
    }

    void append(Connection c, DisputeEvent e) throws SQLException {
        SqlDatabase.update(c, "insert into dispute_events (case_id, seq, day, kind, amount, meter_id, test_id, bill_id, detail, recorded_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setLong(1, e.caseId());
                    ps.setInt(2, e.seq());
                    ps.setString(3, e.day().toString());
                    ps.setString(4, e.kind().name());
                    ps.setString(5, e.amount() == null ? null : e.amount().toPlainString());
                    ps.setString(6, e.meterId());
                    SqlDatabase.bindOptionalLong(ps, 7, e.testId());
                    SqlDatabase.bindOptionalLong(ps, 8, e.billId());
                    ps.setString(9, e.detail());
                    db.bindTime(ps, 10, e.recordedAt());
                });
    }

    public Optional<DisputeCase> find(long caseId) {
        return db.tx("dispute case", c -> find(c, caseId));
    }

    /** The cases of an account or a meter, oldest first. */
    public List<DisputeCase> cases(String accountOrMeter) {
        return db.tx("dispute cases", c -> {
            List<Long> ids = SqlDatabase.query(c, "select case_id from dispute_cases where account_id = ? or meter_id = ? order by case_id",
                    ps -> {
                        ps.setString(1, accountOrMeter);
                        ps.setString(2, accountOrMeter);
                    }, rs -> rs.getLong(1));
            java.util.ArrayList<DisputeCase> out = new java.util.ArrayList<>();
            for (long id : ids) out.add(find(c, id).orElseThrow());
            return out;
        });
    }

    Optional<DisputeCase> find(Connection c, long caseId) throws SQLException {
        List<DisputeEvent> events = SqlDatabase.query(c, "select case_id, seq, day, kind, amount, meter_id, test_id, bill_id, detail, recorded_at"
                + " from dispute_events where case_id = ? order by seq", ps -> ps.setLong(1, caseId), this::event);
        return SqlDatabase.query(c, "select case_id, account_id, meter_id, requested_on, past_service_life, opened_at from dispute_cases"
                + " where case_id = ?", ps -> ps.setLong(1, caseId), rs -> new DisputeCase(rs.getLong(1), rs.getString(2), rs.getString(3),
                LocalDate.parse(rs.getString(4)), rs.getInt(5) == 1, db.readTime(rs, 6), events)).stream().findFirst();
    }

    private DisputeEvent event(ResultSet rs) throws SQLException {
        String amount = rs.getString(5);
        long test = rs.getLong(7);
        Long testId = rs.wasNull() ? null : test;
        long bill = rs.getLong(8);
        Long billId = rs.wasNull() ? null : bill;
        return new DisputeEvent(rs.getLong(1), rs.getInt(2), LocalDate.parse(rs.getString(3)), DisputeEvent.Kind.valueOf(rs.getString(4)),
                amount == null ? null : new BigDecimal(amount), rs.getString(6), testId, billId, rs.getString(9), db.readTime(rs, 10));
    }
}
