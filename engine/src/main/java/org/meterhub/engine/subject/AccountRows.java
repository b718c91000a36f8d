package org.meterhub.engine.subject;

import java.util.List;

/**
 * Where an account's data lives: one query per kind of record, each taking the account id for every
 * {@code ?}. The account's meters are the one it has now, those its bills and estimates name, and
 * those an exchange replaced on them; the store holds no customer names or addresses (those live in
 * the utility's customer system), so an account id is already a pseudonym here.
 */
final class AccountRows {

    /** A named kind of record and the query that selects the account's rows, in a stable order. */
    record Section(String name, String sql) {
        int parameters() {
            return AccountRows.parameters(sql);
        }
    }

    private static final String CURRENT = "(select meter_id from accounts where account_id = ? and meter_id is not null)";

    /** The account's meters, as a subquery. */
    static final String METERS = "(" + CURRENT.substring(1, CURRENT.length() - 1)
            + " union select l.meter_id from bill_lines l join bills b on b.bill_id = l.bill_id"
            + " where b.account_id = ? and l.meter_id is not null"
            + " union select meter_id from estimates where account_id = ?"
            + " union select old_meter_id from meter_exchanges where new_meter_id in " + CURRENT + ")";

    static final List<Section> SECTIONS = List.of(
            new Section("accounts", "select * from accounts where account_id = ?"),
            new Section("billing_account_variants", "select * from billing_account_variants where account_id = ?"),
            new Section("erasures", "select * from erasures where account_id = ? order by erasure_id"),
            new Section("meters", "select * from meters where meter_id in " + METERS + " order by meter_id"),
            new Section("readings", "select * from readings where meter_id in " + METERS + " order by meter_id, time, source"),
            new Section("consumption", "select * from consumption where meter_id in " + METERS + " order by meter_id, start_time"),
            new Section("consumption_corrections", "select * from consumption_corrections where meter_id in " + METERS
                    + " order by sequence"),
            new Section("bills", "select * from bills where account_id = ? order by bill_id"),
            new Section("bill_lines", "select l.* from bill_lines l join bills b on b.bill_id = l.bill_id"
                    + " where b.account_id = ? order by l.bill_id, l.line_no"),
            new Section("estimates", "select * from estimates where account_id = ? order by cycle"),
            new Section("true_ups", "select * from true_ups where account_id = ? order by estimated_cycle"),
            new Section("alarms", "select * from alarms where meter_id in " + METERS + " order by alarm_id"),
            new Section("alarm_events", "select e.* from alarm_events e join alarms a on a.alarm_id = e.alarm_id"
                    + " where a.meter_id in " + METERS + " order by e.alarm_id, e.step"),
            new Section("valve_decisions", "select * from valve_decisions where meter_id in " + METERS + " order by decision_id"),
            new Section("prepaid_purchases", "select * from prepaid_purchases where meter_id in " + METERS
                    + " order by meter_id, time_ms, purchase_id"),
            new Section("prepaid_ledger", "select * from prepaid_ledger where meter_id in " + METERS + " order by meter_id"),
            new Section("work_items", "select * from work_items where account_id = ? order by item_id"),
            new Section("dispute_cases", "select * from dispute_cases where account_id = ? order by case_id"),
            new Section("audit", "select * from audit where subject = ? or subject in " + METERS + " order by id"));

    private AccountRows() {
    }

    /** The number of {@code ?} in a query (the queries here hold none in literals). */
    static int parameters(String sql) {
        return (int) sql.chars().filter(ch -> ch == '?').count();
    }
}
