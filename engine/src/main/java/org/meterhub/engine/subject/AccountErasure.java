package org.meterhub.engine.subject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Erasure at a data subject's request, as far as a utility may erase.
 *
 * <p>The store was designed without customer names, addresses or contacts (they live in the utility's
 * customer system, which erases them there). The one column that can point at a household is
 * {@code meters.location} (installation code: building, riser, room); for the account's meters it is
 * replaced by {@code erased #<erasure id>}, and an {@code erasures} row says who asked, when, what was
 * replaced and why the rest is kept. That replacement is the only in-place change: the old value is not
 * kept anywhere (keeping it would undo the erasure), the erasures row is the attributed record of it.
 * Once the customer system has forgotten the person, the account id left on bills and readings is a
 * pseudonym: it identifies the account, and no longer the person, without data the utility no longer holds.
 *
 * <p>What is kept, and why, is {@link #kept(int)}: measurement records (metrology, "nobody edits a
 * reading in place"), bills and payments (billing and accounting law), the audit trail (append-only,
 * accountability) and safety records (alarms, valve decisions).
 */
public final class AccountErasure {

    /** The columns that may identify a household, with the rows of this account they cover. */
    static final Map<String, String> PERSONAL = Map.of(
            "meters.location", "select count(*) from meters where location is not null and location not like 'erased #%'"
                    + " and meter_id in " + AccountRows.METERS);

    /** What was (or, on a dry run, would be) pseudonymised, and what is kept with its reason. */
    public record Result(long erasureId, boolean dryRun, Map<String, Long> pseudonymised, List<String> kept) {
    }

    private AccountErasure() {
    }

    /**
     * Pseudonymises the account's personal fields and records the erasure; on a dry run only counts.
     * Audited either way.
     *
     * @param keepYears the retention period for billing and metrology records (a setting: the domain rules
     *                  state none; the utility sets its legal one)
     */
    public static Result erase(SqlDatabase db, String accountId, String actor, String reason, int keepYears, boolean dryRun,
                               String client) {
        if (keepYears < 1) throw new IllegalArgumentException("keep-years: must be at least 1, got " + keepYears);
        return erase(db, accountId, actor, reason, Retention.both(keepYears), dryRun, client);
    }

    /** @param retention how long the kept records must be kept, by kind (settings {@code erase.keep-*-years}) */
    public static Result erase(SqlDatabase db, String accountId, String actor, String reason, Retention retention,
                               boolean dryRun, String client) {
        if (reason == null || reason.isBlank()) throw new IllegalArgumentException("reason: say why (e.g. the request's reference)");
        SubjectAudit.write(db, actor, dryRun ? "erase account (dry run)" : "erase account", accountId, "reason=" + reason
                + "&keep-measurement-years=" + retention.measurementYears() + "&keep-billing-years=" + retention.billingYears(),
                client);
        List<String> kept = kept(retention);
        return db.tx("erase account", c -> {
            boolean known = !SqlDatabase.query(c, "select 1 from accounts where account_id = ?", ps -> ps.setString(1, accountId),
                    rs -> 1).isEmpty();
            if (!known) throw new IllegalArgumentException("account " + accountId + " is not in the store");
            Map<String, Long> counts = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : PERSONAL.entrySet()) {
                counts.put(e.getKey(), SqlDatabase.query(c, e.getValue(), ps -> bindAll(ps, e.getValue(), accountId),
                        rs -> rs.getLong(1)).get(0));
            }
            if (dryRun) return new Result(0, true, counts, kept);
            StringBuilder what = new StringBuilder();
            counts.forEach((k, v) -> what.append(what.length() == 0 ? "" : ";").append(k).append('=').append(v));
            long id = SqlDatabase.insertReturningId(c, "insert into erasures (account_id, erased_at, erased_by, reason,"
                    + " pseudonymised, kept) values (?, ?, ?, ?, ?, ?) returning erasure_id", ps -> {
                        ps.setString(1, accountId);
                        db.bindTime(ps, 2, Instant.now());
                        ps.setString(3, actor);
                        ps.setString(4, reason);
                        ps.setString(5, what.toString());
                        ps.setString(6, String.join("\n", kept));
                    });
            String sql = "update meters set location = ? where location is not null and location not like 'erased #%'"
                    + " and meter_id in " + AccountRows.METERS;
            SqlDatabase.update(c, sql, ps -> {
                ps.setString(1, "erased #" + id);
                for (int i = 2; i <= AccountRows.parameters(sql); i++) ps.setString(i, accountId);
            });
            return new Result(id, false, counts, kept);
        });
    }

    /** What the utility must keep after an erasure, and why. */
    public static List<String> kept(int keepYears) {
        return kept(Retention.both(keepYears));
    }

    /** What the utility must keep after an erasure, why, and for how long. */
    public static List<String> kept(Retention retention) {
        String unset = "; the domain rules state no period: set the legal one";
        return List.of(
                "readings, consumption, corrections: measurement records must stay true and traceable (domain rules,"
                        + " \"Customer data\"); kept " + retention.measurementYears() + " years (setting"
                        + " erase.keep-measurement-years" + unset + ")",
                "bills, bill lines, estimates, true-ups, prepaid purchases and ledger: the basis of amounts charged and paid,"
                        + " needed for disputes, re-bills and accounting; kept " + retention.billingYears() + " years (setting"
                        + " erase.keep-billing-years" + unset + ")",
                "alarms, alarm events, valve decisions: safety records of the supply point, about the meter, not the person",
                "audit rows: append-only by design (who accessed the data, including this erasure); never rewritten",
                "account id, meter ids: keys of the records above; a pseudonym once the customer system has erased the person");
    }

    private static void bindAll(java.sql.PreparedStatement ps, String sql, String accountId) throws java.sql.SQLException {
        for (int i = 1; i <= AccountRows.parameters(sql); i++) ps.setString(i, accountId);
    }
}
