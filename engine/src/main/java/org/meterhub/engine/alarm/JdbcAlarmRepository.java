package org.meterhub.engine.alarm;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;

/**
 * {@link AlarmRepository} in the store's database (tables {@code alarms} and {@code alarm_events},
 * migrations V3 and V13), the same on SQLite and PostgreSQL.
 *
 * <p>Every step is appended to {@code alarm_events} (step 1 is the raise); the {@code alarms} row
 * carries the current state as a projection of those events, updated in the same transaction, so
 * the open, overdue and deadline lists are one indexed query. When a step resolves the alarm,
 * whether each deadline was met is recorded in the row with it.
 */
public final class JdbcAlarmRepository implements AlarmRepository {

    /** Subjects of this form are districts, not meters. */
    public static final String DISTRICT_PREFIX = "district:";

    /** Each milestone's columns: deadline, reached at, reached by, met. */
    private record Columns(String due, String at, String by, String met) { }

    private static final Map<Milestone, Columns> COLUMNS_OF = new EnumMap<>(Map.of(
            Milestone.ACKNOWLEDGE, new Columns("acknowledge_by", "acknowledged_at", "acknowledged_by", "acknowledge_met"),
            Milestone.ON_SITE, new Columns("on_site_by", "on_site_at", "on_site_actor", "on_site_met"),
            Milestone.RESOLVE, new Columns("resolve_by", "resolved_at", "resolved_by", "resolve_met"),
            Milestone.FOLLOW_UP, new Columns("follow_up_by", "followed_up_at", "followed_up_by", "follow_up_met")));

    private static final String SELECT = "select alarm_id, kind, subject, detail, volume_lost_l, observed_at, raised_at,"
            + " deadline_rule, state, resolution, " + milestoneColumns() + " from alarms";

    private final SqlDatabase db;

    public JdbcAlarmRepository(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public Alarm insert(Alarm a) {
        return db.tx("insert alarm " + a.kind(), c -> {
            long id = SqlDatabase.insertReturningId(c, "insert into alarms (kind, category, subject, meter_id, detail,"
                    + " volume_lost_l, observed_at, raised_at, deadline_rule, acknowledge_by, on_site_by, resolve_by,"
                    + " follow_up_by, state) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning alarm_id", ps -> {
                ps.setString(1, a.kind().name());
                ps.setString(2, a.kind().category().name());
                ps.setString(3, a.subject());
                ps.setString(4, a.subject().startsWith(DISTRICT_PREFIX) ? null : a.subject());
                ps.setString(5, a.detail());
                SqlDatabase.bindOptionalLong(ps, 6, a.volumeLostL().isPresent() ? a.volumeLostL().getAsLong() : null);
                db.bindTime(ps, 7, a.observedAt());
                db.bindTime(ps, 8, a.raisedAt());
                ps.setString(9, a.rule());
                int i = 10;
                for (Milestone m : Milestone.values()) db.bindTime(ps, i++, a.dueOf(m));
                ps.setString(14, a.state().name());
            });
            event(c, id, new AlarmStep(1, a.state(), Optional.empty(), a.raisedAt(), "engine", ""));
            return a.withId(id);
        });
    }

    @Override
    public void append(Alarm after, List<AlarmStep> steps) {
        db.tx("alarm " + after.id() + " step", c -> {
            StringBuilder set = new StringBuilder("update alarms set state = ?, resolution = ?, detail = ?, volume_lost_l = ?");
            for (Columns col : COLUMNS_OF.values()) set.append(", ").append(col.at()).append(" = ?, ").append(col.by())
                    .append(" = ?, ").append(col.met()).append(" = ?");
            int rows = SqlDatabase.update(c, set + " where alarm_id = ?", ps -> {
                ps.setString(1, after.state().name());
                ps.setString(2, after.resolution().orElse(null));
                ps.setString(3, after.detail());
                SqlDatabase.bindOptionalLong(ps, 4, after.volumeLostL().isPresent() ? after.volumeLostL().getAsLong() : null);
                int i = 5;
                for (Milestone m : COLUMNS_OF.keySet()) {
                    Optional<Alarm.Mark> mark = after.doneOf(m);
                    db.bindTime(ps, i++, mark.map(Alarm.Mark::at));
                    ps.setString(i++, mark.map(Alarm.Mark::by).orElse(null));
                    SqlDatabase.bindOptionalLong(ps, i++, after.met(m).map(met -> met ? 1L : 0L).orElse(null));
                }
                ps.setLong(i, after.id());
            });
            if (rows != 1) throw new IllegalArgumentException("no alarm " + after.id());
            int step = SqlDatabase.query(c, "select coalesce(max(step), 0) from alarm_events where alarm_id = ?",
                    ps -> ps.setLong(1, after.id()), rs -> rs.getInt(1)).get(0);
            for (AlarmStep s : steps) {
                event(c, after.id(), new AlarmStep(++step, s.state(), s.milestone(), s.at(), s.actor(), s.note()));
            }
            return null;
        });
    }

    @Override
    public Optional<Alarm> find(long id) {
        return db.tx("find alarm " + id, c -> SqlDatabase.query(c, SELECT + " where alarm_id = ?",
                ps -> ps.setLong(1, id), this::alarm)).stream().findFirst();
    }

    @Override
    public List<Alarm> open() {
        return db.tx("open alarms", c -> SqlDatabase.query(c,
                SELECT + " where state <> 'RESOLVED' order by raised_at, alarm_id", ps -> { }, this::alarm));
    }

    @Override
    public List<Alarm> bySubject(String subject) {
        return db.tx("alarms of a subject", c -> SqlDatabase.query(c,
                SELECT + " where subject = ? order by raised_at, alarm_id", ps -> ps.setString(1, subject), this::alarm));
    }

    /**
     * A district's leak alarms, newest first, at most {@code limit}: its own (the network balance's, on
     * {@code district:<id>}) and those of the meters in it (meters.district_id).
     */
    public List<Alarm> leaksOfDistrict(String districtId, int limit) {
        return db.tx("leak alarms of a district", c -> SqlDatabase.query(c, SELECT + " where category = 'LEAK' and"
                + " (subject = ? or meter_id in (select meter_id from meters where district_id = ?))"
                + " order by raised_at desc, alarm_id desc limit ?", ps -> {
                    ps.setString(1, DISTRICT_PREFIX + districtId);
                    ps.setString(2, districtId);
                    ps.setInt(3, limit);
                }, this::alarm));
    }

    /** One indexed query instead of the subject's whole history. */
    @Override
    public Optional<Alarm> openOf(String subject, AlarmKind kind) {
        return db.tx("open alarm of a subject", c -> SqlDatabase.query(c,
                SELECT + " where subject = ? and kind = ? and state <> 'RESOLVED' order by alarm_id",
                ps -> {
                    ps.setString(1, subject);
                    ps.setString(2, kind.name());
                }, this::alarm)).stream().findFirst();
    }

    @Override
    public List<AlarmStep> history(long id) {
        return db.tx("alarm history " + id, c -> SqlDatabase.query(c,
                "select step, state, milestone, at, actor, note from alarm_events where alarm_id = ? order by step",
                ps -> ps.setLong(1, id), rs -> new AlarmStep(rs.getInt(1), AlarmState.valueOf(rs.getString(2)),
                        Optional.ofNullable(rs.getString(3)).map(Milestone::valueOf), db.readTime(rs, 4),
                        rs.getString(5), rs.getString(6))));
    }

    /** One grouped query over the resolved alarms of the period (index alarms_resolved). */
    @Override
    public List<DeadlineShare> deadlineShares(Instant from, Instant to) {
        StringBuilder sql = new StringBuilder("select kind, deadline_rule");
        for (Columns col : COLUMNS_OF.values()) {
            sql.append(", count(").append(col.due()).append("), coalesce(sum(").append(col.met()).append("), 0)");
        }
        // alarms raised before V13 have no rule and no recorded outcome: left out rather than counted as missed
        sql.append(" from alarms where resolved_at >= ? and resolved_at < ? and deadline_rule is not null"
                + " group by kind, deadline_rule order by kind, 2");
        List<DeadlineShare> out = new ArrayList<>();
        db.tx("alarm deadline report", c -> SqlDatabase.query(c, sql.toString(), ps -> {
            db.bindTime(ps, 1, from);
            db.bindTime(ps, 2, to);
        }, rs -> {
            int i = 3;
            for (Milestone m : COLUMNS_OF.keySet()) {
                long applied = rs.getLong(i++);
                long met = rs.getLong(i++);
                if (applied > 0) {
                    out.add(new DeadlineShare(AlarmKind.valueOf(rs.getString(1)), rs.getString(2), m, applied, met));
                }
            }
            return null;
        }));
        return out;
    }

    /** A meter's medium from its record; a district's from its inlet meter. */
    @Override
    public Optional<Medium> mediumOf(String subject) {
        boolean district = subject.startsWith(DISTRICT_PREFIX);
        String sql = district
                ? "select medium from meters where district_id = ? order by case when role = 'district_inlet' then 0 else 1 end limit 1"
                : "select medium from meters where meter_id = ?";
        String key = district ? subject.substring(DISTRICT_PREFIX.length()) : subject;
        return db.tx("medium of an alarm subject", c -> SqlDatabase.query(c, sql, ps -> ps.setString(1, key),
                rs -> rs.getString(1))).stream().findFirst().flatMap(JdbcAlarmRepository::medium);
    }

    private static Optional<Medium> medium(String name) {
        try {
            return Optional.of(Medium.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private void event(Connection c, long alarmId, AlarmStep s) throws SQLException {
        SqlDatabase.update(c, "insert into alarm_events (alarm_id, step, state, milestone, at, actor, note)"
                        + " values (?, ?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setLong(1, alarmId);
                    ps.setInt(2, s.step());
                    ps.setString(3, s.state().name());
                    ps.setString(4, s.milestone().map(Milestone::name).orElse(null));
                    db.bindTime(ps, 5, s.at());
                    ps.setString(6, s.actor());
                    ps.setString(7, s.note());
                });
    }

    private Alarm alarm(ResultSet rs) throws SQLException {
        long lost = rs.getLong(5);
        OptionalLong volumeLost = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(lost);
        Instant raised = db.readTime(rs, 7);
        Optional<Instant> observed = db.readOptionalTime(rs, 6);
        String rule = rs.getString(8);
        Map<Milestone, Instant> due = new EnumMap<>(Milestone.class);
        Map<Milestone, Alarm.Mark> done = new EnumMap<>(Milestone.class);
        int i = 11;
        for (Milestone m : COLUMNS_OF.keySet()) {
            db.readOptionalTime(rs, i).ifPresent(t -> due.put(m, t));
            Optional<Instant> at = db.readOptionalTime(rs, i + 1);
            String by = rs.getString(i + 2);
            if (at.isPresent()) done.put(m, new Alarm.Mark(at.get(), by == null ? "" : by));
            i += 3;
        }
        return new Alarm(rs.getLong(1), AlarmKind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4), volumeLost,
                observed.orElse(raised), raised, rule == null ? "unrecorded" : rule, due,
                AlarmState.valueOf(rs.getString(9)), done, Optional.ofNullable(rs.getString(10)));
    }

    /** The milestones' deadline, reached-at and reached-by columns, in {@link Milestone} order. */
    private static String milestoneColumns() {
        StringBuilder sb = new StringBuilder();
        for (Columns col : COLUMNS_OF.values()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(col.due()).append(", ").append(col.at()).append(", ").append(col.by());
        }
        return sb.toString();
    }
}
