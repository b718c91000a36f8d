package org.meterhub.engine.vee;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * {@link ValidationRepository} in the store's database (table {@code validation_flags},
 * migration V3). A flag is keyed (meter, reading time, kind): saving it again changes nothing.
 */
public final class JdbcValidationRepository implements ValidationRepository {
    private static final String COLUMNS = "select meter_id, reading_time, kind, reason, detected_at from validation_flags";

    // Sorted here, not in SQL: text collations differ between the databases (and from enum order).
    private static final Comparator<ValidationFlag> BY_READING =
            Comparator.comparing(ValidationFlag::readingTime).thenComparing(ValidationFlag::kind);
    private static final Comparator<ValidationFlag> BY_DETECTION =
            Comparator.comparing(ValidationFlag::detectedAt).thenComparing(ValidationFlag::meterId);

    private final SqlDatabase db;

    public JdbcValidationRepository(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void save(List<ValidationFlag> flags) {
        if (flags.isEmpty()) return;
        db.tx("save " + flags.size() + " validation flags", c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into validation_flags (meter_id, reading_time, kind,"
                    + " reason, detected_at) values (?, ?, ?, ?, ?) on conflict do nothing")) {
                for (ValidationFlag f : flags) {
                    ps.setString(1, f.meterId());
                    db.bindTime(ps, 2, f.readingTime());
                    ps.setString(3, f.kind().name());
                    ps.setString(4, f.reason());
                    db.bindTime(ps, 5, f.detectedAt());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<ValidationFlag> flags(String meterId, Instant from, Instant to) {
        return db.tx("validation flags of a meter", c -> SqlDatabase.query(c, COLUMNS
                + " where meter_id = ? and reading_time >= ? and reading_time < ? order by reading_time", ps -> {
                    ps.setString(1, meterId);
                    db.bindTime(ps, 2, from);
                    db.bindTime(ps, 3, to);
                }, this::flag)).stream().sorted(BY_READING).toList();
    }

    @Override
    public List<ValidationFlag> flagsOfKind(FlagKind kind, Instant from, Instant to) {
        return db.tx("validation flags of a kind", c -> SqlDatabase.query(c, COLUMNS
                + " where kind = ? and detected_at >= ? and detected_at < ? order by detected_at", ps -> {
                    ps.setString(1, kind.name());
                    db.bindTime(ps, 2, from);
                    db.bindTime(ps, 3, to);
                }, this::flag)).stream().sorted(BY_DETECTION).toList();
    }

    private ValidationFlag flag(ResultSet rs) throws SQLException {
        return new ValidationFlag(rs.getString(1), db.readTime(rs, 2), FlagKind.valueOf(rs.getString(3)),
                rs.getString(4), db.readTime(rs, 5));
    }
}
