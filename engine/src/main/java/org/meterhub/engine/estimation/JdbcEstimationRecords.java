package org.meterhub.engine.estimation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Estimates, true-ups and work items in the store's database (tables {@code estimates},
 * {@code true_ups} and {@code work_items}, migration V3; {@code estimate_retirements}, V9). All append-only: an account has at most
 * one estimate and one true-up per cycle, and a work item is recorded once per (kind, meter,
 * account, cycle); saving one again keeps the first and returns false.
 */
public final class JdbcEstimationRecords {

    private static final String ESTIMATE_COLUMNS = "select account_id, meter_id, cycle, volume_l, base_register_l,"
            + " estimated_register_l, method, raised_to_previous_month, basis, created_at from estimates";
    /** Estimates not retired by a later real reading of the same window (table estimate_retirements, V9). */
    private static final String ACTIVE = " and not exists (select 1 from estimate_retirements r"
            + " where r.account_id = estimates.account_id and r.cycle = estimates.cycle)";
    private static final String RETIREMENT_COLUMNS = "select account_id, cycle, meter_id, reading_time,"
            + " reading_register_l, reason, retired_at from estimate_retirements";
    private static final String TRUE_UP_COLUMNS = "select account_id, meter_id, estimated_cycle, estimated_volume_l,"
            + " actual_register_l, actual_time, actual_volume_l, difference_l, created_at from true_ups";
    private static final String WORK_COLUMNS = "select account_id, meter_id, cycle, kind, reason, created_at from work_items";

    private final SqlDatabase db;

    public JdbcEstimationRecords(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Records the decision's outcome: the estimate, or the refusal's follow-up work item (if any). */
    public void record(Decision decision) {
        if (decision instanceof Decision.Estimated e) {
            save(e.estimate());
        } else if (decision instanceof Decision.Refused r) {
            r.followUp().ifPresent(this::save);
        }
    }

    /** @return false when the account already has an estimate for the cycle (kept as it was) */
    public boolean save(Estimate e) {
        return db.tx("save estimate", c -> SqlDatabase.update(c, "insert into estimates (account_id, cycle, meter_id,"
                + " volume_l, base_register_l, estimated_register_l, method, raised_to_previous_month, basis, created_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing", ps -> {
                    ps.setString(1, e.accountId());
                    ps.setString(2, e.cycle().toString());
                    ps.setString(3, e.meterId());
                    ps.setLong(4, e.volumeL());
                    ps.setLong(5, e.baseRegisterL());
                    ps.setLong(6, e.estimatedRegisterL());
                    ps.setString(7, e.method().name());
                    ps.setInt(8, e.raisedToPreviousMonth() ? 1 : 0);
                    ps.setString(9, e.basis());
                    db.bindTime(ps, 10, e.createdAt());
                }) == 1);
    }

    /** The account's estimate for the cycle, unless a later real reading retired it. */
    public Optional<Estimate> estimate(String accountId, YearMonth cycle) {
        return db.tx("find estimate", c -> SqlDatabase.query(c, ESTIMATE_COLUMNS + " where account_id = ? and cycle = ?"
                + ACTIVE,
                ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, cycle.toString());
                }, this::estimate)).stream().findFirst();
    }

    /**
     * Estimates that stand for a cycle, by account: the ones billed and counted by the 2 % quota.
     * Estimates retired by a later real reading of the window are left out ({@link #retirements}).
     */
    public List<Estimate> estimates(YearMonth cycle) {
        return db.tx("estimates of a cycle", c -> SqlDatabase.query(c, ESTIMATE_COLUMNS + " where cycle = ?" + ACTIVE,
                ps -> ps.setString(1, cycle.toString()), this::estimate)).stream()
                .sorted(Comparator.comparing(Estimate::accountId)).toList();
    }

    /** Every estimate written for a cycle, retired or not (audit). */
    public List<Estimate> allEstimates(YearMonth cycle) {
        return db.tx("all estimates of a cycle", c -> SqlDatabase.query(c, ESTIMATE_COLUMNS + " where cycle = ?",
                ps -> ps.setString(1, cycle.toString()), this::estimate)).stream()
                .sorted(Comparator.comparing(Estimate::accountId)).toList();
    }

    /** @return false when the estimate was retired before (kept as it was) */
    public boolean save(EstimateRetirement r) {
        return db.tx("retire estimate", c -> SqlDatabase.update(c, "insert into estimate_retirements (account_id, cycle,"
                + " meter_id, reading_time, reading_register_l, reason, retired_at) values (?, ?, ?, ?, ?, ?, ?)"
                + " on conflict do nothing", ps -> {
                    ps.setString(1, r.accountId());
                    ps.setString(2, r.cycle().toString());
                    ps.setString(3, r.meterId());
                    db.bindTime(ps, 4, r.readingTime());
                    ps.setLong(5, r.readingRegisterL());
                    ps.setString(6, r.reason());
                    db.bindTime(ps, 7, r.retiredAt());
                }) == 1);
    }

    /** Estimates of a cycle retired by a later real reading, by account. */
    public List<EstimateRetirement> retirements(YearMonth cycle) {
        return db.tx("retired estimates", c -> SqlDatabase.query(c, RETIREMENT_COLUMNS + " where cycle = ?",
                ps -> ps.setString(1, cycle.toString()), rs -> new EstimateRetirement(rs.getString(1),
                        YearMonth.parse(rs.getString(2)), rs.getString(3), db.readTime(rs, 4), rs.getLong(5),
                        rs.getString(6), db.readTime(rs, 7)))).stream()
                .sorted(Comparator.comparing(EstimateRetirement::accountId)).toList();
    }

    /** @return false when the estimate was trued up before (kept as it was) */
    public boolean save(TrueUp t) {
        return db.tx("save true-up", c -> SqlDatabase.update(c, "insert into true_ups (account_id, estimated_cycle,"
                + " meter_id, estimated_volume_l, actual_register_l, actual_time, actual_volume_l, difference_l, created_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing", ps -> {
                    ps.setString(1, t.accountId());
                    ps.setString(2, t.estimatedCycle().toString());
                    ps.setString(3, t.meterId());
                    ps.setLong(4, t.estimatedVolumeL());
                    ps.setLong(5, t.actualRegisterL());
                    db.bindTime(ps, 6, t.actualTime());
                    ps.setLong(7, t.actualVolumeL());
                    ps.setLong(8, t.differenceL());
                    db.bindTime(ps, 9, t.createdAt());
                }) == 1);
    }

    public Optional<TrueUp> trueUp(String accountId, YearMonth estimatedCycle) {
        return db.tx("find true-up", c -> SqlDatabase.query(c, TRUE_UP_COLUMNS
                + " where account_id = ? and estimated_cycle = ?", ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, estimatedCycle.toString());
                }, rs -> new TrueUp(rs.getString(1), rs.getString(2), YearMonth.parse(rs.getString(3)), rs.getLong(4),
                        rs.getLong(5), db.readTime(rs, 6), rs.getLong(7), rs.getLong(8), db.readTime(rs, 9))))
                .stream().findFirst();
    }

    /** @return false when the same work item was recorded before */
    public boolean save(WorkItem w) {
        return db.tx("save work item", c -> SqlDatabase.update(c, "insert into work_items (kind, meter_id, account_id,"
                + " cycle, reason, created_at) values (?, ?, ?, ?, ?, ?) on conflict do nothing", ps -> {
                    ps.setString(1, w.kind().name());
                    ps.setString(2, w.meterId());
                    ps.setString(3, w.accountId());
                    ps.setString(4, w.cycle().toString());
                    ps.setString(5, w.reason());
                    db.bindTime(ps, 6, w.createdAt());
                }) == 1);
    }

    /** Work items of a cycle, optionally of one kind (null: all), in the order they were recorded. */
    public List<WorkItem> workItems(YearMonth cycle, WorkItem.Kind kind) {
        return db.tx("work items", c -> SqlDatabase.query(c, WORK_COLUMNS + " where cycle = ?"
                + (kind == null ? "" : " and kind = ?") + " order by item_id", ps -> {
                    ps.setString(1, cycle.toString());
                    if (kind != null) ps.setString(2, kind.name());
                }, rs -> new WorkItem(rs.getString(1), rs.getString(2), YearMonth.parse(rs.getString(3)),
                        WorkItem.Kind.valueOf(rs.getString(4)), rs.getString(5), db.readTime(rs, 6))));
    }

    /** A meter's estimates, retired or not, newest cycle first, at most {@code limit} (the console's meter page). */
    public List<Estimate> estimatesOfMeter(String meterId, int limit) {
        return db.tx("estimates of a meter", c -> SqlDatabase.query(c, ESTIMATE_COLUMNS + " where meter_id = ?"
                + " order by cycle desc, account_id limit ?", ps -> {
                    ps.setString(1, meterId);
                    ps.setInt(2, limit);
                }, this::estimate));
    }

    /** A meter's retired estimates, newest cycle first, at most {@code limit}. */
    public List<EstimateRetirement> retirementsOfMeter(String meterId, int limit) {
        return db.tx("retired estimates of a meter", c -> SqlDatabase.query(c, RETIREMENT_COLUMNS + " where meter_id = ?"
                + " order by cycle desc, account_id limit ?", ps -> {
                    ps.setString(1, meterId);
                    ps.setInt(2, limit);
                }, rs -> new EstimateRetirement(rs.getString(1), YearMonth.parse(rs.getString(2)), rs.getString(3),
                        db.readTime(rs, 4), rs.getLong(5), rs.getString(6), db.readTime(rs, 7))));
    }

    /** A meter's true-ups, newest estimated cycle first, at most {@code limit}. */
    public List<TrueUp> trueUpsOfMeter(String meterId, int limit) {
        return db.tx("true-ups of a meter", c -> SqlDatabase.query(c, TRUE_UP_COLUMNS + " where meter_id = ?"
                + " order by estimated_cycle desc, account_id limit ?", ps -> {
                    ps.setString(1, meterId);
                    ps.setInt(2, limit);
                }, rs -> new TrueUp(rs.getString(1), rs.getString(2), YearMonth.parse(rs.getString(3)), rs.getLong(4),
                        rs.getLong(5), db.readTime(rs, 6), rs.getLong(7), rs.getLong(8), db.readTime(rs, 9))));
    }

    private Estimate estimate(ResultSet rs) throws SQLException {
        return new Estimate(rs.getString(1), rs.getString(2), YearMonth.parse(rs.getString(3)), rs.getLong(4),
                rs.getLong(5), rs.getLong(6), EstimationMethod.valueOf(rs.getString(7)), rs.getInt(8) == 1,
                rs.getString(9), db.readTime(rs, 10));
    }
}
