package org.meterhub.gateway.clock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.journal.JournalException;

/**
 * Readings that have no usable time yet, kept durably (SQLite, WAL, full sync) next to the journal until the gateway
 * has a time for them, and the clock's memory across restarts (the newest reading time it stamped). A held reading
 * keeps the monotonic time and boot it was received in, so it is timed exactly once a timeline exists in the same
 * boot. The stamp is written here before the reading is handed on, so a crash in between hands on the same stamp
 * again (an idempotent no-op downstream), never a second one.
 *
 * <p>Not thread-safe: {@link ClockGuard} uses it from its one thread.
 */
public final class HeldReadings implements AutoCloseable {
    private final Path path;
    private final Connection db;

    /**
     * One held reading.
     *
     * @param reading      as the driver produced it (its time is the untrusted gateway clock, except settlement reads)
     * @param mono         {@code System.nanoTime} when it was received
     * @param boot         the boot it was received in
     * @param stamped      the reading as it will be handed on, once timed; null before
     */
    public record Held(long id, Reading reading, long mono, String boot, Instant wall, Reading stamped) {
    }

    private HeldReadings(Path path, Connection db) {
        this.path = path;
        this.db = db;
    }

    public static HeldReadings open(Path path) {
        try {
            if (path.toAbsolutePath().getParent() != null) Files.createDirectories(path.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new JournalException("held readings " + path + ": cannot create its directory: " + e.getMessage(), e);
        }
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("pragma journal_mode = wal");
                s.execute("pragma synchronous = full");
                s.execute("pragma busy_timeout = 5000");
                s.execute("create table if not exists held (id integer primary key autoincrement, meter_id text not null,"
                        + " source text not null, time_ms integer not null, received_ms integer not null,"
                        + " meter_time_ms integer, volume_l integer not null, flags text not null,"
                        + " status_bits integer not null, mono_ns integer not null, boot text not null,"
                        + " stamped_time_ms integer, stamped_received_ms integer, stamped_flags text)");
                s.execute("create table if not exists clock_meta (key text primary key, value text not null)");
            }
            return new HeldReadings(path, c);
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the open failure is the one worth reporting
                }
            }
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Keeps the reading (committed when this returns); {@code stamped} non-null when it is timed already. */
    public void hold(Reading r, long mono, String boot, Instant wall, Reading stamped) {
        try (PreparedStatement ps = db.prepareStatement("insert into held (meter_id, source, time_ms, received_ms,"
                + " meter_time_ms, volume_l, flags, status_bits, mono_ns, boot, stamped_time_ms, stamped_received_ms,"
                + " stamped_flags) values (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.meterId());
            ps.setString(2, r.source().name());
            ps.setLong(3, r.time().toEpochMilli());
            ps.setLong(4, wall.toEpochMilli());
            if (r.meterTime() != null) ps.setLong(5, r.meterTime().toEpochMilli());
            else ps.setNull(5, Types.INTEGER);
            ps.setLong(6, r.volumeL());
            ps.setString(7, flags(r.flags()));
            ps.setInt(8, r.statusBits());
            ps.setLong(9, mono);
            ps.setString(10, boot);
            bindStamp(ps, 11, stamped);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": cannot hold a reading of meter " + r.meterId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Records the time a held reading will be handed on with, before it is. */
    public void stamp(long id, Reading stamped) {
        try (PreparedStatement ps = db.prepareStatement(
                "update held set stamped_time_ms = ?, stamped_received_ms = ?, stamped_flags = ? where id = ?")) {
            bindStamp(ps, 1, stamped);
            ps.setLong(4, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    /** The downstream has the reading durably: forget it. */
    public void remove(long id) {
        try (PreparedStatement ps = db.prepareStatement("delete from held where id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    /** The oldest held readings with id above {@code after}, in the order they were received, untimed ones too. */
    public List<Held> oldest(long after, int limit) {
        return select("", after, limit);
    }

    /** As {@link #oldest}, without the readings set aside as {@link #untimed}. */
    public List<Held> oldestWaiting(long after, int limit) {
        return select(" and boot not like 'untimed:%'", after, limit);
    }

    private List<Held> select(String where, long after, int limit) {
        try (PreparedStatement ps = db.prepareStatement("select id, meter_id, source, time_ms, received_ms, meter_time_ms,"
                + " volume_l, flags, status_bits, mono_ns, boot, stamped_time_ms, stamped_received_ms, stamped_flags"
                + " from held where id > ?" + where + " order by id limit ?")) {
            ps.setLong(1, after);
            ps.setInt(2, limit);
            List<Held> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long mt = rs.getLong(6);
                    Instant meterTime = rs.wasNull() ? null : Instant.ofEpochMilli(mt);
                    Reading r = new Reading(rs.getString(2), Instant.ofEpochMilli(rs.getLong(4)),
                            Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(7), ReadingSource.valueOf(rs.getString(3)),
                            parseFlags(rs.getString(8)), rs.getInt(9), meterTime);
                    Reading stamped = null;
                    long st = rs.getLong(12);
                    if (!rs.wasNull()) {
                        stamped = new Reading(r.meterId(), Instant.ofEpochMilli(st), Instant.ofEpochMilli(rs.getLong(13)),
                                r.volumeL(), r.source(), parseFlags(rs.getString(14)), r.statusBits(), r.meterTime());
                    }
                    out.add(new Held(rs.getLong(1), r, rs.getLong(10), rs.getString(11), r.receivedAt(), stamped));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets aside a reading that has no time at all (held before a reboot, with neither a plausible receive time nor a
     * meter clock): it stays in the file for people to see, and no longer holds up the others.
     */
    public void untimed(long id) {
        try (PreparedStatement ps = db.prepareStatement("update held set boot = 'untimed:' || boot where id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    /** Readings waiting for a time, without those set aside as untimed. */
    public long count() {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from held where boot not like 'untimed:%'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    /** The newest reading time the gateway stamped in an earlier run, or null. */
    public Instant floor() {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("select value from clock_meta where key = 'floor'")) {
            return rs.next() ? Instant.parse(rs.getString(1)) : null;
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    public void saveFloor(Instant floor) {
        try (PreparedStatement ps = db.prepareStatement(
                "insert or replace into clock_meta (key, value) values ('floor', ?)")) {
            ps.setString(1, floor.toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("held readings " + path + ": " + e.getMessage(), e);
        }
    }

    private static void bindStamp(PreparedStatement ps, int at, Reading stamped) throws SQLException {
        if (stamped == null) {
            ps.setNull(at, Types.INTEGER);
            ps.setNull(at + 1, Types.INTEGER);
            ps.setNull(at + 2, Types.VARCHAR);
        } else {
            ps.setLong(at, stamped.time().toEpochMilli());
            ps.setLong(at + 1, stamped.receivedAt().toEpochMilli());
            ps.setString(at + 2, flags(stamped.flags()));
        }
    }

    private static String flags(Set<ReadingFlag> flags) {
        StringBuilder b = new StringBuilder();
        for (ReadingFlag f : ReadingFlag.values()) {
            if (!flags.contains(f)) continue;
            if (b.length() > 0) b.append(',');
            b.append(f.name());
        }
        return b.toString();
    }

    private static Set<ReadingFlag> parseFlags(String s) {
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        if (s != null && !s.isEmpty()) for (String name : s.split(",")) flags.add(ReadingFlag.valueOf(name));
        return flags;
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // nothing is pending: every write above commits on its own
        }
    }
}
