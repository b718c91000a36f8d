package org.meterhub.engine.leak;

import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/** The districts the store knows (meters.district_id) with how many inlet and customer meters each has. */
public final class JdbcDistricts {

    /** A district; it can be balanced only with at least one inlet meter. */
    public record District(String districtId, int inlets, int customers) {
        public District {
            Objects.requireNonNull(districtId, "districtId");
        }
    }

    private final SqlDatabase db;

    public JdbcDistricts(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Every district, by id: one grouped query, not a read of every meter's profile. */
    public List<District> all() {
        return db.tx("districts", c -> SqlDatabase.query(c, "select district_id,"
                + " sum(case when role = 'district_inlet' then 1 else 0 end),"
                + " sum(case when role = 'customer' then 1 else 0 end)"
                + " from meters where district_id is not null group by district_id order by district_id", ps -> { },
                rs -> new District(rs.getString(1), rs.getInt(2), rs.getInt(3))));
    }
}
