package org.meterhub.engine.attempt;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Read attempts in the store's database (table {@code read_attempts}, migration V9). Append-only:
 * an attempt is one row, recorded once per (meter, channel, time).
 */
public final class JdbcReadAttempts implements ReadAttemptLog {
    private static final String COLUMNS = "select account_id, meter_id, channel, result, attempted_at, note, recorded_by,"
            + " recorded_at from read_attempts";

    private final SqlDatabase db;

    public JdbcReadAttempts(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public boolean record(ReadAttempt a) {
        return db.tx("record read attempt", c -> SqlDatabase.update(c, "insert into read_attempts (account_id, meter_id,"
                + " channel, result, attempted_at, note, recorded_by, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict do nothing", ps -> {
                    ps.setString(1, a.accountId());
                    ps.setString(2, a.meterId());
                    ps.setString(3, a.channel().name());
                    ps.setString(4, a.result().name());
                    db.bindTime(ps, 5, a.attemptedAt());
                    ps.setString(6, a.note());
                    ps.setString(7, a.recordedBy());
                    db.bindTime(ps, 8, a.recordedAt());
                }) == 1);
    }

    @Override
    public List<ReadAttempt> attempts(String meterId, Instant from, Instant to) {
        return db.tx("read attempts", c -> SqlDatabase.query(c, COLUMNS
                + " where meter_id = ? and attempted_at >= ? and attempted_at < ? order by attempted_at, attempt_id", ps -> {
                    ps.setString(1, meterId);
                    db.bindTime(ps, 2, from);
                    db.bindTime(ps, 3, to);
                }, rs -> new ReadAttempt(rs.getString(1), rs.getString(2), ReadAttempt.Channel.valueOf(rs.getString(3)),
                        ReadAttempt.Result.valueOf(rs.getString(4)), db.readTime(rs, 5), rs.getString(6), rs.getString(7),
                        db.readTime(rs, 8))));
    }
}
