package org.meterhub.engine.ingest;

import java.sql.SQLException;
import org.meterhub.engine.store.FencedOutException;

/**
 * Whether a failed store write may succeed if tried again later ({@link #TRANSIENT}: the server is
 * down, restarting, short of resources, or a transaction lost a race) or never will with the same
 * data ({@link #PERMANENT}: a constraint or the data itself was refused).
 *
 * <p>PostgreSQL (SQLState classes): 08 connection, 57 operator intervention (57P01 shutdown), 53
 * insufficient resources, 40 transaction rollback (40001 serialization, 40P01 deadlock), 55 object not
 * in prerequisite state (lock not available), 58 system error, XX internal are transient; 22 data
 * exception and 23 integrity constraint violation are permanent. SQLite (no SQLState; the result
 * code): CONSTRAINT, MISMATCH, TOOBIG and RANGE are permanent, the rest (BUSY, LOCKED, IOERR, FULL,
 * CANTOPEN, ...) transient. A value the engine itself refuses ({@link IllegalArgumentException}, e.g. a
 * time outside the storable range) is permanent. Anything else is treated as transient: retried
 * with backoff and alarmed, never set aside without a reason.
 */
public enum StoreFailure {
    TRANSIENT,
    PERMANENT;

    public static StoreFailure of(Throwable failure) {
        boolean badValue = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FencedOutException) return TRANSIENT;
            if (t instanceof SQLException e) return of(e);
            if (t instanceof IllegalArgumentException) badValue = true;
            if (t.getCause() == t) break;
        }
        return badValue ? PERMANENT : TRANSIENT;
    }

    static StoreFailure of(SQLException e) {
        String state = e.getSQLState();
        SQLException next = e.getNextException(); // a JDBC batch failure puts the server's cause here
        if (next != null && next != e && next.getSQLState() != null) state = next.getSQLState();
        if (state != null && state.length() >= 2) {
            String c = state.substring(0, 2);
            return c.equals("22") || c.equals("23") ? PERMANENT : TRANSIENT;
        }
        if (e.getClass().getName().startsWith("org.sqlite.")) {
            int code = e.getErrorCode() & 0xff;
            return code == 18 || code == 19 || code == 20 || code == 25 ? PERMANENT : TRANSIENT;
        }
        return TRANSIENT;
    }

    /** The innermost message, for a reason that fits on one line. */
    public static String reason(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        if (t instanceof SQLException s && s.getSQLState() != null) m = "SQLState " + s.getSQLState() + ": " + m;
        m = m.replace('\n', ' ').strip();
        return m.length() > 500 ? m.substring(0, 500) : m;
    }
}
