package org.meterhub.engine.evc;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * {@link EvcRepository} in the store's database: table {@code evc_samples} (migration V7). Pressure and
 * temperature are kept as decimal text, exactly as the converter reported them.
 */
public final class JdbcEvcRepository implements EvcRepository {
    private static final String COLUMNS = "select meter_id, time, base_l, unconverted_l, pressure_kpa, temperature_c"
            + " from evc_samples";

    private final SqlDatabase db;

    public JdbcEvcRepository(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void save(List<EvcSample> samples) {
        if (samples.isEmpty()) return;
        db.tx("save " + samples.size() + " converter samples", c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into evc_samples (meter_id, time, base_l, unconverted_l,"
                    + " pressure_kpa, temperature_c) values (?, ?, ?, ?, ?, ?) on conflict do nothing")) {
                for (EvcSample s : samples) {
                    ps.setString(1, s.meterId());
                    db.bindTime(ps, 2, s.time());
                    ps.setLong(3, s.baseL());
                    ps.setLong(4, s.unconvertedL());
                    ps.setString(5, s.pressureKpa().toPlainString());
                    ps.setString(6, s.temperatureC().toPlainString());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Optional<EvcSample> lastBefore(String meterId, Instant before) {
        return db.tx("latest converter sample", c -> SqlDatabase.query(c, COLUMNS
                + " where meter_id = ? and time < ? order by time desc limit 1", ps -> {
                    ps.setString(1, meterId);
                    db.bindTime(ps, 2, before);
                }, this::sample)).stream().findFirst();
    }

    @Override
    public List<EvcSample> samples(String meterId, Instant from, Instant to) {
        return db.tx("converter samples", c -> SqlDatabase.query(c, COLUMNS
                + " where meter_id = ? and time >= ? and time < ? order by time", ps -> {
                    ps.setString(1, meterId);
                    db.bindTime(ps, 2, from);
                    db.bindTime(ps, 3, to);
                }, this::sample));
    }

    private EvcSample sample(ResultSet rs) throws SQLException {
        return new EvcSample(rs.getString(1), db.readTime(rs, 2), rs.getLong(3), rs.getLong(4),
                new BigDecimal(rs.getString(5)), new BigDecimal(rs.getString(6)));
    }
}
