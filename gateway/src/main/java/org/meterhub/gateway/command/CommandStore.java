package org.meterhub.gateway.command;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.engine.store.StoreException;

/**
 * The durable command log: one SQLite file (WAL, so the CLI can add or list commands while a
 * gateway runs). A command is written here before it is ever published, and every state change is
 * written before it takes effect, so a gateway restart resumes resending where it stopped.
 */
public final class CommandStore implements AutoCloseable {
    private static final String COLS = "id, meter_id, cmd, amount, unit, created_ms, deadline_ms, status, attempts, "
            + "last_sent_ms, finished_ms, error";

    private final Connection conn;

    public CommandStore(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            conn = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = conn.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS mqtt_commands (id TEXT PRIMARY KEY, meter_id TEXT NOT NULL, "
                        + "cmd TEXT NOT NULL, amount TEXT, unit TEXT, created_ms INTEGER NOT NULL, "
                        + "deadline_ms INTEGER NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, "
                        + "last_sent_ms INTEGER, finished_ms INTEGER, error TEXT)");
                s.execute("CREATE INDEX IF NOT EXISTS mqtt_commands_open ON mqtt_commands (status, deadline_ms)");
                s.execute("CREATE INDEX IF NOT EXISTS mqtt_commands_meter ON mqtt_commands (meter_id, created_ms)");
            }
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open command store " + file + ": " + e.getMessage(), e);
        }
    }

    /** The result of storing a command: the stored record, and whether it was new. */
    public record Stored(CommandRecord record, boolean created) { }

    /**
     * Stores a new command as PENDING. The same id again returns the existing record unchanged;
     * the same id with a different command is refused (it would be two effects under one id).
     */
    public synchronized Stored insert(MeterCommand c) {
        String sql = "INSERT INTO mqtt_commands (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, NULL, NULL, NULL) "
                + "ON CONFLICT (id) DO NOTHING";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, c.id());
            ps.setString(2, c.meterId());
            ps.setString(3, c.type().name());
            ps.setString(4, c.amount() == null ? null : c.amount().toPlainString());
            ps.setString(5, c.unit() == null ? null : c.unit().name());
            ps.setLong(6, c.createdAt().toEpochMilli());
            ps.setLong(7, c.deadline().toEpochMilli());
            boolean created = ps.executeUpdate() == 1;
            CommandRecord r = get(c.id()).orElseThrow();
            if (!created && !r.command().sameAs(c)) {
                throw new IllegalArgumentException("command id " + c.id() + " is already used for a different command ("
                        + r.command().type().wire() + " to meter " + r.command().meterId() + ")");
            }
            return new Stored(r, created);
        } catch (SQLException e) {
            throw new StoreException("storing command " + c.id() + " failed: " + e.getMessage(), e);
        }
    }

    /** Records one more publish of an open command. */
    public synchronized void markSent(String id, Instant at) {
        update("UPDATE mqtt_commands SET status = 'SENT', attempts = attempts + 1, last_sent_ms = ? "
                + "WHERE id = ? AND status IN ('PENDING', 'SENT')", at.toEpochMilli(), id);
    }

    /** Closes an open command; false if it was not open (a second ack, or an ack after expiry). */
    public synchronized boolean finish(String id, CommandStatus status, Instant at, String error) {
        if (status.open()) throw new IllegalArgumentException("finish needs a final status, got " + status);
        try (PreparedStatement ps = conn.prepareStatement("UPDATE mqtt_commands SET status = ?, finished_ms = ?, error = ? "
                + "WHERE id = ? AND status IN ('PENDING', 'SENT')")) {
            ps.setString(1, status.name());
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, error);
            ps.setString(4, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("updating command " + id + " failed: " + e.getMessage(), e);
        }
    }

    public synchronized Optional<CommandRecord> get(String id) {
        List<CommandRecord> r = query("SELECT " + COLS + " FROM mqtt_commands WHERE id = ?", id);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    /** Commands still waiting for an ack, oldest first. */
    public synchronized List<CommandRecord> open() {
        return query("SELECT " + COLS + " FROM mqtt_commands WHERE status IN ('PENDING', 'SENT') ORDER BY created_ms, id");
    }

    /** The command log, newest first; {@code meterId} null for all meters. */
    public synchronized List<CommandRecord> list(String meterId, int limit) {
        if (meterId == null) {
            return query("SELECT " + COLS + " FROM mqtt_commands ORDER BY created_ms DESC, id LIMIT " + Math.max(1, limit));
        }
        return query("SELECT " + COLS + " FROM mqtt_commands WHERE meter_id = ? ORDER BY created_ms DESC, id LIMIT "
                + Math.max(1, limit), meterId);
    }

    private void update(String sql, long ms, String id) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, ms);
            ps.setString(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("updating command " + id + " failed: " + e.getMessage(), e);
        }
    }

    private List<CommandRecord> query(String sql, String... args) {
        List<CommandRecord> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
        } catch (SQLException e) {
            throw new StoreException("reading commands failed: " + e.getMessage(), e);
        }
        return out;
    }

    private static CommandRecord row(ResultSet rs) throws SQLException {
        String amount = rs.getString(4);
        String unit = rs.getString(5);
        MeterCommand c = new MeterCommand(rs.getString(1), rs.getString(2), CommandType.valueOf(rs.getString(3)),
                amount == null ? null : new BigDecimal(amount), unit == null ? null : BalanceUnit.valueOf(unit),
                Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)));
        long sent = rs.getLong(10);
        Instant lastSent = rs.wasNull() ? null : Instant.ofEpochMilli(sent);
        long fin = rs.getLong(11);
        Instant finished = rs.wasNull() ? null : Instant.ofEpochMilli(fin);
        return new CommandRecord(c, CommandStatus.valueOf(rs.getString(8)), rs.getInt(9), lastSent, finished, rs.getString(12));
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException("closing command store failed: " + e.getMessage(), e);
        }
    }
}
