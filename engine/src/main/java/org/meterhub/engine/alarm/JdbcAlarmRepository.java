package org.meterhub.engine.alarm;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * {@link AlarmRepository} in the store's database (tables {@code alarms} and {@code alarm_events},
 * migration V3), the same on SQLite and PostgreSQL.
 *
 * <p>Every step is appended to {@code alarm_events} (step 1 is the raise); the {@code alarms} row
 * carries the current state as a projection of those events, updated in the same transaction, so
 * the open and overdue lists are one indexed query.
 */
public final class JdbcAlarmRepository implements AlarmRepository {

    /** Subjects of this form are districts, not meters. */
    public static final String DISTRICT_PREFIX = "district:";

    private static final String COLUMNS = "select alarm_id, kind, subject, detail, volume_lost_l, raised_at,"
            + " acknowledge_by, resolve_by, state, acknowledged_at, acknowledged_by, resolved_at, resolved_by,"
            + " resolution from alarms";

    private final SqlDatabase db;

    public JdbcAlarmRepository(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public Alarm insert(Alarm a) {
        return db.tx("insert alarm " + a.kind(), c -> {
            long id = SqlDatabase.insertReturningId(c, "insert into alarms (kind, category, subject, meter_id, detail,"
                    + " volume_lost_l, raised_at, acknowledge_by, resolve_by, state, acknowledged_at, acknowledged_by,"
                    + " resolved_at, resolved_by, resolution) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " returning alarm_id", ps -> {
                ps.setString(1, a.kind().name());
                ps.setString(2, a.kind().category().name());
                ps.setString(3, a.subject());
                ps.setString(4, a.subject().startsWith(DISTRICT_PREFIX) ? null : a.subject());
                ps.setString(5, a.detail());
                SqlDatabase.bindOptionalLong(ps, 6, a.volumeLostL().isPresent() ? a.volumeLostL().getAsLong() : null);
                db.bindTime(ps, 7, a.raisedAt());
                db.bindTime(ps, 8, a.acknowledgeBy());
                db.bindTime(ps, 9, a.resolveBy());
                bindState(ps, 10, a);
            });
            Alarm stored = withId(a, id);
            event(c, stored, 1, a.state(), a.raisedAt(), "engine", "");
            return stored;
        });
    }

    @Override
    public void transition(Alarm updated) {
        db.tx("alarm " + updated.id() + " to " + updated.state(), c -> {
            int rows = SqlDatabase.update(c, "update alarms set state = ?, acknowledged_at = ?, acknowledged_by = ?,"
                    + " resolved_at = ?, resolved_by = ?, resolution = ? where alarm_id = ?", ps -> {
                bindState(ps, 1, updated);
                ps.setLong(7, updated.id());
            });
            if (rows != 1) throw new IllegalArgumentException("no alarm " + updated.id());
            int step = SqlDatabase.query(c, "select coalesce(max(step), 0) from alarm_events where alarm_id = ?",
                    ps -> ps.setLong(1, updated.id()), rs -> rs.getInt(1)).get(0) + 1;
            boolean resolved = updated.state() == AlarmState.RESOLVED;
            event(c, updated, step, updated.state(),
                    resolved ? updated.resolvedAt().orElseThrow() : updated.acknowledgedAt().orElseThrow(),
                    resolved ? updated.resolvedBy().orElse("") : updated.acknowledgedBy().orElse(""),
                    resolved ? updated.resolution().orElse("") : "");
            return null;
        });
    }

    @Override
    public void append(Alarm updated, java.time.Instant at, String actor, String note) {
        db.tx("alarm " + updated.id() + " step", c -> {
            int rows = SqlDatabase.update(c, "update alarms set state = ?, acknowledged_at = ?, acknowledged_by = ?,"
                    + " resolved_at = ?, resolved_by = ?, resolution = ?, detail = ?, volume_lost_l = ? where alarm_id = ?",
                    ps -> {
                        bindState(ps, 1, updated);
                        ps.setString(7, updated.detail());
                        SqlDatabase.bindOptionalLong(ps, 8, updated.volumeLostL().isPresent()
                                ? updated.volumeLostL().getAsLong() : null);
                        ps.setLong(9, updated.id());
                    });
            if (rows != 1) throw new IllegalArgumentException("no alarm " + updated.id());
            int step = SqlDatabase.query(c, "select coalesce(max(step), 0) from alarm_events where alarm_id = ?",
                    ps -> ps.setLong(1, updated.id()), rs -> rs.getInt(1)).get(0) + 1;
            event(c, updated, step, updated.state(), at, actor, note);
            return null;
        });
    }

    @Override
    public Optional<Alarm> find(long id) {
        return db.tx("find alarm " + id, c -> SqlDatabase.query(c, COLUMNS + " where alarm_id = ?",
                ps -> ps.setLong(1, id), this::alarm)).stream().findFirst();
    }

    @Override
    public List<Alarm> open() {
        return db.tx("open alarms", c -> SqlDatabase.query(c,
                COLUMNS + " where state <> 'RESOLVED' order by raised_at, alarm_id", ps -> { }, this::alarm));
    }

    @Override
    public List<Alarm> bySubject(String subject) {
        return db.tx("alarms of a subject", c -> SqlDatabase.query(c,
                COLUMNS + " where subject = ? order by raised_at, alarm_id", ps -> ps.setString(1, subject), this::alarm));
    }

    /** One indexed query instead of the subject's whole history. */
    @Override
    public Optional<Alarm> openOf(String subject, AlarmKind kind) {
        return db.tx("open alarm of a subject", c -> SqlDatabase.query(c,
                COLUMNS + " where subject = ? and kind = ? and state <> 'RESOLVED' order by alarm_id",
                ps -> {
                    ps.setString(1, subject);
                    ps.setString(2, kind.name());
                }, this::alarm)).stream().findFirst();
    }

    /** Every step of the alarm, first to last: state, time, actor and note. */
    public List<Step> history(long id) {
        return db.tx("alarm history " + id, c -> SqlDatabase.query(c,
                "select step, state, at, actor, note from alarm_events where alarm_id = ? order by step",
                ps -> ps.setLong(1, id), rs -> new Step(rs.getInt(1), AlarmState.valueOf(rs.getString(2)),
                        db.readTime(rs, 3), rs.getString(4), rs.getString(5))));
    }

    /** One row of {@code alarm_events}. */
    public record Step(int step, AlarmState state, java.time.Instant at, String actor, String note) {
    }

    private void bindState(PreparedStatement ps, int from, Alarm a) throws SQLException {
        ps.setString(from, a.state().name());
        db.bindTime(ps, from + 1, a.acknowledgedAt());
        ps.setString(from + 2, a.acknowledgedBy().orElse(null));
        db.bindTime(ps, from + 3, a.resolvedAt());
        ps.setString(from + 4, a.resolvedBy().orElse(null));
        ps.setString(from + 5, a.resolution().orElse(null));
    }

    private void event(Connection c, Alarm a, int step, AlarmState state, java.time.Instant at, String actor,
                       String note) throws SQLException {
        SqlDatabase.update(c, "insert into alarm_events (alarm_id, step, state, at, actor, note) values (?, ?, ?, ?, ?, ?)",
                ps -> {
                    ps.setLong(1, a.id());
                    ps.setInt(2, step);
                    ps.setString(3, state.name());
                    db.bindTime(ps, 4, at);
                    ps.setString(5, actor);
                    ps.setString(6, note);
                });
    }

    private Alarm alarm(ResultSet rs) throws SQLException {
        long lost = rs.getLong(5);
        OptionalLong volumeLost = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(lost);
        return new Alarm(rs.getLong(1), AlarmKind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4), volumeLost,
                db.readTime(rs, 6), db.readOptionalTime(rs, 7), db.readOptionalTime(rs, 8),
                AlarmState.valueOf(rs.getString(9)), db.readOptionalTime(rs, 10), Optional.ofNullable(rs.getString(11)),
                db.readOptionalTime(rs, 12), Optional.ofNullable(rs.getString(13)), Optional.ofNullable(rs.getString(14)));
    }

    private static Alarm withId(Alarm a, long id) {
        return new Alarm(id, a.kind(), a.subject(), a.detail(), a.volumeLostL(), a.raisedAt(), a.acknowledgeBy(),
                a.resolveBy(), a.state(), a.acknowledgedAt(), a.acknowledgedBy(), a.resolvedAt(), a.resolvedBy(),
                a.resolution());
    }
}
