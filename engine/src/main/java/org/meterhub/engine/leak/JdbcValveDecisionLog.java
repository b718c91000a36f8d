package org.meterhub.engine.leak;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * {@link ValveDecisionLog} in the store's database (table {@code valve_decisions}, migration V3):
 * the decision row is written before any command goes out, the meter's answer as a later row.
 * Thread-safe (outcomes arrive on the command path's threads).
 */
public final class JdbcValveDecisionLog implements ValveDecisionLog {

    private final SqlDatabase db;

    public JdbcValveDecisionLog(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void record(ValveDecision d) {
        db.tx("record valve decision", c -> SqlDatabase.update(c, "insert into valve_decisions (alarm_id, meter_id, close,"
                + " reason, decided_at, outcome, outcome_at) values (?, ?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setLong(1, d.alarmId());
                    ps.setString(2, d.meterId());
                    ps.setInt(3, d.close() ? 1 : 0);
                    ps.setString(4, d.reason());
                    db.bindTime(ps, 5, d.decidedAt());
                    ps.setString(6, d.outcome().map(Enum::name).orElse(null));
                    db.bindTime(ps, 7, d.outcomeAt());
                }));
    }

    /** The meter's decisions and the meter's answers, newest first, at most {@code limit} (the console's meter page). */
    public List<ValveDecision> forMeter(String meterId, int limit) {
        return db.tx("valve decisions of a meter", c -> SqlDatabase.query(c, "select alarm_id, meter_id, close, reason,"
                + " decided_at, outcome, outcome_at from valve_decisions where meter_id = ? order by decision_id desc limit ?",
                ps -> {
                    ps.setString(1, meterId);
                    ps.setInt(2, limit);
                }, this::decision));
    }

    @Override
    public List<ValveDecision> forAlarm(long alarmId) {
        return db.tx("valve decisions of an alarm", c -> SqlDatabase.query(c, "select alarm_id, meter_id, close, reason,"
                + " decided_at, outcome, outcome_at from valve_decisions where alarm_id = ? order by decision_id",
                ps -> ps.setLong(1, alarmId), this::decision));
    }

    private ValveDecision decision(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ValveDecision(rs.getLong(1), rs.getString(2), rs.getInt(3) == 1, rs.getString(4), db.readTime(rs, 5),
                Optional.ofNullable(rs.getString(6)).map(ValveCommander.ValveOutcome::valueOf), db.readOptionalTime(rs, 7));
    }
}
