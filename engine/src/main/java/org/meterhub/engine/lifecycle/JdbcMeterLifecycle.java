package org.meterhub.engine.lifecycle;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/** Meter records and their state events (tables {@code meter_records}, {@code meter_state_events}, migration V10). Insert-only. */
public final class JdbcMeterLifecycle {
    private static final String RECORD = "select meter_id, brand, model, serial, production_date, first_verification, gas_type, refurbished"
            + " from meter_records";
    private final SqlDatabase db;

    public JdbcMeterLifecycle(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    public SqlDatabase database() {
        return db;
    }

    /** Adds a meter to stock: its record and an IN_STOCK event. A meter id already recorded is refused. */
    public MeterRecord add(MeterRecord r, LocalDate day, Instant at) {
        return db.tx("add meter " + r.meterId(), c -> {
            if (find(c, r.meterId()).isPresent()) throw new LifecycleException("meter " + r.meterId() + " is already recorded; records never change");
            SqlDatabase.update(c, "insert into meter_records (meter_id, brand, model, serial, production_date, first_verification, gas_type,"
                    + " refurbished, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                        ps.setString(1, r.meterId());
                        ps.setString(2, r.brand());
                        ps.setString(3, r.model());
                        ps.setString(4, r.serial());
                        ps.setString(5, r.productionDate().toString());
                        ps.setString(6, r.firstVerification().toString());
                        ps.setString(7, r.gasType().name());
                        ps.setInt(8, r.refurbished() ? 1 : 0);
                        db.bindTime(ps, 9, at);
                    });
            append(c, r.meterId(), 1, day, MeterState.IN_STOCK, "added to stock", at);
            return find(c, r.meterId()).orElseThrow();
        });
    }

    public Optional<MeterRecord> find(String meterId) {
        return db.tx("meter record", c -> find(c, meterId));
    }

    /** Every recorded meter with its events, by meter id. */
    public List<MeterRecord> all() {
        return db.tx("meter records", this::all);
    }

    /** Records a state change; it must be one the current state allows and not dated before the last event. */
    public MeterRecord change(String meterId, LocalDate day, MeterState to, String detail, Instant at) {
        return db.tx("meter " + meterId + " state", c -> change(c, meterId, day, to, detail, at));
    }

    /** {@link #change(String, LocalDate, MeterState, String, Instant)} inside the caller's transaction (a dispute step). */
    public MeterRecord change(Connection c, String meterId, LocalDate day, MeterState to, String detail, Instant at) throws SQLException {
        MeterRecord r = find(c, meterId).orElseThrow(() -> new LifecycleException("no meter record " + meterId + "; add it with meterhub meters add"));
        if (!r.state().next().contains(to)) {
            throw new LifecycleException("meter " + meterId + " is " + r.state() + ": it can go to " + r.state().next() + ", not " + to);
        }
        LocalDate last = r.events().get(r.events().size() - 1).day();
        if (day.isBefore(last)) throw new LifecycleException("meter " + meterId + ": " + day + " is before its last state change (" + last + ")");
        append(c, meterId, r.events().size() + 1, day, to, detail, at);
        return find(c, meterId).orElseThrow();
    }

    private void append(Connection c, String meterId, int seq, LocalDate day, MeterState s, String detail, Instant at) throws SQLException {
        SqlDatabase.update(c, "insert into meter_state_events (meter_id, seq, day, state, detail, recorded_at) values (?, ?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, meterId);
            ps.setInt(2, seq);
            ps.setString(3, day.toString());
            ps.setString(4, s.name());
            ps.setString(5, detail);
            db.bindTime(ps, 6, at);
        });
    }

    /** The meter's record inside the caller's transaction. */
    public Optional<MeterRecord> find(Connection c, String meterId) throws SQLException {
        List<MeterRecord.StateEvent> events = SqlDatabase.query(c, "select seq, day, state, detail from meter_state_events where meter_id = ?"
                + " order by seq", ps -> ps.setString(1, meterId), rs -> new MeterRecord.StateEvent(rs.getInt(1), LocalDate.parse(rs.getString(2)),
                MeterState.valueOf(rs.getString(3)), rs.getString(4)));
        return SqlDatabase.query(c, RECORD + " where meter_id = ?", ps -> ps.setString(1, meterId), rs -> record(rs, events)).stream().findFirst();
    }

    List<MeterRecord> all(Connection c) throws SQLException {
        Map<String, List<MeterRecord.StateEvent>> events = new HashMap<>();
        SqlDatabase.query(c, "select meter_id, seq, day, state, detail from meter_state_events order by meter_id, seq", ps -> { },
                rs -> events.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new MeterRecord.StateEvent(rs.getInt(2),
                        LocalDate.parse(rs.getString(3)), MeterState.valueOf(rs.getString(4)), rs.getString(5))));
        return SqlDatabase.query(c, RECORD + " order by meter_id", ps -> { }, rs -> record(rs, events.getOrDefault(rs.getString(1), List.of())));
    }

    private static MeterRecord record(java.sql.ResultSet rs, List<MeterRecord.StateEvent> events) throws SQLException {
        return new MeterRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), LocalDate.parse(rs.getString(5)),
                LocalDate.parse(rs.getString(6)), GasType.valueOf(rs.getString(7)), rs.getInt(8) == 1, events);
    }
}
