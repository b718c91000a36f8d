package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Meter exchanges as recorded on site (table {@code meter_exchanges}, migration V7): append-only,
 * one per (new meter, time); recording the same exchange again keeps the first.
 */
public final class JdbcMeterExchanges {
    private static final String COLUMNS = "select old_meter_id, old_final_l, new_meter_id, new_first_l, new_capacity_l,"
            + " time, recorded_by from meter_exchanges";

    private final SqlDatabase db;

    public JdbcMeterExchanges(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** @return false when it was recorded before */
    public boolean save(MeterExchange x) {
        return db.tx("save meter exchange", c -> SqlDatabase.update(c, "insert into meter_exchanges (new_meter_id, time,"
                + " old_meter_id, old_final_l, new_first_l, new_capacity_l, recorded_by) values (?, ?, ?, ?, ?, ?, ?)"
                + " on conflict do nothing", ps -> {
                    ps.setString(1, x.newMeterId());
                    db.bindTime(ps, 2, x.time());
                    ps.setString(3, x.oldMeterId());
                    ps.setLong(4, x.oldFinalL());
                    ps.setLong(5, x.newFirstL());
                    ps.setLong(6, x.newCapacityL());
                    ps.setString(7, x.recordedBy());
                }) == 1);
    }

    /** Exchanges that put {@code newMeterId} in, with time in [from, to), oldest first. */
    public List<MeterExchange> into(String newMeterId, Instant from, Instant to) {
        return db.tx("meter exchanges", c -> SqlDatabase.query(c, COLUMNS
                + " where new_meter_id = ? and time >= ? and time < ? order by time", ps -> {
                    ps.setString(1, newMeterId);
                    db.bindTime(ps, 2, from);
                    db.bindTime(ps, 3, to);
                }, rs -> new MeterExchange(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        db.readTime(rs, 6), rs.getString(7))));
    }
}
