package org.meterhub.engine.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The two SQL dialects the store speaks. Both hold the same logical schema; they differ in how
 * a point in time is stored and in how concurrent schema migrations are serialised.
 */
public enum Dialect {

    /** SQLite: times are INTEGER epoch milliseconds (UTC), so ordering and ranges are exact. */
    SQLITE("sqlite",
            """
            create table if not exists schema_migrations (
                version    integer primary key,  -- the N of VN__name.sql
                name       text    not null,     -- the file name it came from
                applied_at integer not null      -- epoch milliseconds (UTC) when it was applied
            ) strict""",
            // A no-op write: takes SQLite's single write lock until commit, so two processes
            // opening the same file apply each migration once.
            "update schema_migrations set version = version where 0") {
        @Override
        void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
            ps.setLong(index, time.toEpochMilli());
        }

        @Override
        Instant readTime(ResultSet rs, int column) throws SQLException {
            return Instant.ofEpochMilli(rs.getLong(column));
        }

        @Override
        void bindDate(PreparedStatement ps, int index, LocalDate date) throws SQLException {
            ps.setString(index, date == null ? null : date.toString());
        }

        @Override
        LocalDate readDate(ResultSet rs, int column) throws SQLException {
            String s = rs.getString(column);
            return s == null ? null : LocalDate.parse(s);
        }
    },

    /** PostgreSQL (optionally TimescaleDB): times are timestamptz. */
    POSTGRESQL("postgresql",
            """
            create table if not exists schema_migrations (
                version    integer     primary key,
                name       text        not null,
                applied_at timestamptz not null
            )""",
            // Transaction-scoped advisory lock (an arbitrary constant, "meterhub" on a phone pad).
            "select pg_advisory_xact_lock(63837482)") {
        @Override
        void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
            ps.setObject(index, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
        }

        @Override
        Instant readTime(ResultSet rs, int column) throws SQLException {
            return rs.getObject(column, OffsetDateTime.class).toInstant();
        }

        @Override
        void bindDate(PreparedStatement ps, int index, LocalDate date) throws SQLException {
            ps.setObject(index, date, Types.DATE);
        }

        @Override
        LocalDate readDate(ResultSet rs, int column) throws SQLException {
            return rs.getObject(column, LocalDate.class);
        }
    };

    private final String resourceDir;
    private final String bootstrapDdl;
    private final String lockSql;

    Dialect(String resourceDir, String bootstrapDdl, String lockSql) {
        this.resourceDir = resourceDir;
        this.bootstrapDdl = bootstrapDdl;
        this.lockSql = lockSql;
    }

    /** Classpath folder of this dialect's migrations: {@code db/<dir>/}. */
    public String resourceDir() {
        return "db/" + resourceDir + "/";
    }

    String bootstrapDdl() {
        return bootstrapDdl;
    }

    /** Serialises schema migrations between processes; runs first in each migration transaction. */
    String lockSql() {
        return lockSql;
    }

    abstract void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException;

    abstract Instant readTime(ResultSet rs, int column) throws SQLException;

    /** Binds a time that may be absent (SQL null). */
    void bindNullableTime(PreparedStatement ps, int index, Instant time) throws SQLException {
        if (time == null) {
            ps.setNull(index, this == SQLITE ? Types.BIGINT : Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            bindTime(ps, index, time);
        }
    }

    /** Reads a time column that may be null. */
    Instant readNullableTime(ResultSet rs, int column) throws SQLException {
        if (rs.getObject(column) == null) {
            return null;
        }
        return readTime(rs, column);
    }

    /** Binds a calendar date (null allowed): PostgreSQL date, SQLite ISO text. */
    abstract void bindDate(PreparedStatement ps, int index, LocalDate date) throws SQLException;

    abstract LocalDate readDate(ResultSet rs, int column) throws SQLException;
}
