package org.meterhub.engine.subject;

import java.time.Instant;
import org.meterhub.engine.jdbc.SqlDatabase;

/** Audit rows of data-subject requests, in their own transaction so they stay even if the request then fails. */
final class SubjectAudit {

    private SubjectAudit() {
    }

    static void write(SqlDatabase db, String actor, String action, String subject, String detail, String client) {
        write(db, actor, action, subject, detail, client, "");
    }

    /** @param purpose why the data is read (V17 {@code audit.purpose}); empty when none was stated */
    static void write(SqlDatabase db, String actor, String action, String subject, String detail, String client,
                      String purpose) {
        db.tx("audit " + action, c -> SqlDatabase.update(c,
                "insert into audit (at, actor, action, subject, detail, client, purpose) values (?, ?, ?, ?, ?, ?, ?)", ps -> {
                    db.bindTime(ps, 1, Instant.now());
                    ps.setString(2, actor);
                    ps.setString(3, action);
                    ps.setString(4, subject);
                    ps.setString(5, detail);
                    ps.setString(6, client);
                    ps.setString(7, purpose == null ? "" : purpose);
                }));
    }
}
