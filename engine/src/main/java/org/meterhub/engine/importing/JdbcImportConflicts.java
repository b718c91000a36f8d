package org.meterhub.engine.importing;

import java.sql.PreparedStatement;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/** {@link ImportConflicts} in the store's database (table {@code import_conflicts}, migration V11). Append-only. */
public final class JdbcImportConflicts implements ImportConflicts {
    private final SqlDatabase db;

    public JdbcImportConflicts(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void save(List<ImportConflict> conflicts) {
        if (conflicts.isEmpty()) return;
        db.tx("save " + conflicts.size() + " import conflicts", c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into import_conflicts (meter_id, reading_time,"
                    + " stored_l, conflicting_l, file, line, detected_at) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
                for (ImportConflict k : conflicts) {
                    ps.setString(1, k.meterId());
                    db.bindTime(ps, 2, k.readingTime());
                    ps.setLong(3, k.storedL());
                    ps.setLong(4, k.conflictingL());
                    ps.setString(5, k.file());
                    ps.setLong(6, k.line());
                    db.bindTime(ps, 7, k.detectedAt());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<ImportConflict> of(String meterId) {
        return db.tx("import conflicts of a meter", c -> SqlDatabase.query(c, "select meter_id, reading_time, stored_l,"
                + " conflicting_l, file, line, detected_at from import_conflicts where meter_id = ? order by reading_time, line",
                ps -> ps.setString(1, meterId),
                rs -> new ImportConflict(rs.getString(1), db.readTime(rs, 2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                        rs.getLong(6), db.readTime(rs, 7))));
    }
}
