package org.meterhub.engine.consumption;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * {@link CorrectionRepository} in the store's database (tables {@code consumption_corrections}
 * and {@code consumption_correction_intervals}, migration V3), plus the effective series through
 * the {@code consumption_effective} view. The base {@code consumption} rows are never touched.
 */
public final class JdbcCorrectionRepository implements CorrectionRepository {

    private final SqlDatabase db;

    public JdbcCorrectionRepository(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void save(IntervalCorrection c) {
        db.tx("save correction " + c.sequence(), conn -> {
            int rows = SqlDatabase.update(conn, "insert into consumption_corrections (sequence, meter_id, from_time,"
                    + " to_time, total_l, cause, created_at) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing", ps -> {
                ps.setLong(1, c.sequence());
                ps.setString(2, c.meterId());
                db.bindTime(ps, 3, c.from());
                db.bindTime(ps, 4, c.to());
                ps.setLong(5, c.totalL());
                ps.setString(6, c.cause());
                db.bindTime(ps, 7, c.createdAt());
            });
            if (rows == 0) return null; // saved before
            try (PreparedStatement ps = conn.prepareStatement("insert into consumption_correction_intervals (sequence,"
                    + " meter_id, start_time, end_time, volume_l, flags) values (?, ?, ?, ?, ?, ?)")) {
                for (ConsumptionInterval i : c.replacement()) {
                    ps.setLong(1, c.sequence());
                    ps.setString(2, i.meterId());
                    db.bindTime(ps, 3, i.start());
                    db.bindTime(ps, 4, i.end());
                    ps.setLong(5, i.volumeL());
                    ps.setString(6, encode(i.flags()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<IntervalCorrection> corrections(String meterId) {
        return db.tx("corrections of a meter", conn -> {
            record Head(long seq, Instant from, Instant to, String cause, Instant created) {
            }
            List<Head> heads = SqlDatabase.query(conn, "select sequence, from_time, to_time, cause, created_at"
                            + " from consumption_corrections where meter_id = ? order by sequence",
                    ps -> ps.setString(1, meterId), rs -> new Head(rs.getLong(1), db.readTime(rs, 2),
                            db.readTime(rs, 3), rs.getString(4), db.readTime(rs, 5)));
            Map<Long, List<ConsumptionInterval>> parts = new LinkedHashMap<>();
            for (Head h : heads) parts.put(h.seq(), new ArrayList<>());
            SqlDatabase.query(conn, "select sequence, meter_id, start_time, end_time, volume_l, flags"
                            + " from consumption_correction_intervals where meter_id = ? order by sequence, start_time",
                    ps -> ps.setString(1, meterId), rs -> {
                        List<ConsumptionInterval> list = parts.get(rs.getLong(1));
                        if (list != null) list.add(interval(rs, 2));
                        return null;
                    });
            List<IntervalCorrection> out = new ArrayList<>(heads.size());
            for (Head h : heads) {
                out.add(new IntervalCorrection(h.seq(), meterId, h.from(), h.to(), parts.get(h.seq()), h.cause(),
                        h.created()));
            }
            return out;
        });
    }

    /**
     * The meter's effective intervals with start in [from, to), oldest first: base intervals not
     * superseded, plus the replacement intervals that are in force (the consumption_effective view).
     */
    public List<ConsumptionInterval> effective(String meterId, Instant from, Instant to) {
        return db.tx("effective consumption of a meter", conn -> SqlDatabase.query(conn,
                "select meter_id, start_time, end_time, volume_l, flags from consumption_effective"
                        + " where meter_id = ? and start_time >= ? and start_time < ? order by start_time", ps -> {
                    ps.setString(1, meterId);
                    db.bindTime(ps, 2, from);
                    db.bindTime(ps, 3, to);
                }, rs -> interval(rs, 1)));
    }

    /** The view answers in the database: {@code base} is not needed. */
    @Override
    public List<ConsumptionInterval> effective(String meterId, Instant from, Instant to,
                                              java.util.function.Supplier<List<ConsumptionInterval>> base) {
        return effective(meterId, from, to);
    }

    private ConsumptionInterval interval(ResultSet rs, int first) throws SQLException {
        return new ConsumptionInterval(rs.getString(first), db.readTime(rs, first + 1), db.readTime(rs, first + 2),
                rs.getLong(first + 3), decode(rs.getString(first + 4)));
    }

    /** Flag names, sorted, comma-separated, as the consumption table keeps them. */
    static String encode(Set<IntervalFlag> flags) {
        return flags.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
    }

    static Set<IntervalFlag> decode(String text) {
        Set<IntervalFlag> flags = EnumSet.noneOf(IntervalFlag.class);
        if (text != null && !text.isEmpty()) {
            for (String name : text.split(",")) flags.add(IntervalFlag.valueOf(name));
        }
        return flags;
    }
}
