package org.meterhub.engine.store;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.query.Step;

/**
 * A {@link MeterStore} with the head-end's questions: meter attributes, accounts, rollups,
 * fleet totals, health counts and the audit trail. SQLite and PostgreSQL answer every method
 * identically for the same data.
 */
public interface TimeSeriesStore extends MeterStore {

    /** The zone of the daily and monthly rollup buckets (store_settings.rollup_zone). */
    ZoneId rollupZone();

    /**
     * Inserts the meter, or records its descriptive attributes (type, class, accuracy, Qmax,
     * verification, district, location, role) on the existing row. The base reading, base time
     * and register capacity of an existing meter never change.
     */
    void saveProfile(MeterProfile profile);

    @Override
    Optional<MeterProfile> profile(String meterId);

    /** Meters of a district, by id; every meter when {@code districtId} is null. */
    List<MeterProfile> profiles(String districtId);

    /** Inserts or replaces the account (master data, not a measurement). */
    void saveAccount(Account account);

    /** Accounts in the given state (all when null), by id. */
    List<Account> accounts(AccountState state);

    @Override
    default java.util.Set<String> meterIdsNotSupplied() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Account a : accounts(null)) {
            if (a.meterId() != null && a.state() != AccountState.IGNITED) out.add(a.meterId());
        }
        return out;
    }

    /**
     * Rollup rows with bucket in [from, to), by meter then bucket; one meter, or every meter when
     * {@code meterId} is null. {@code step} picks hourly, daily or monthly.
     */
    List<RollupRow> rollup(Step step, String meterId, Instant from, Instant to);

    /**
     * Each meter's consumption with interval start in [from, to), meters with nothing recorded
     * left out. Restricted to the customer meters of a district when {@code districtId} is given,
     * to the inlet meters when {@code inlets} is true. Largest first, then by id; at most
     * {@code limit} rows. Uses the coarsest rollup whose buckets tile the range exactly.
     */
    List<MeterTotal> totals(Instant from, Instant to, String districtId, boolean inlets, int limit);

    /** Number of distinct reading times of the meter in [from, to). */
    long readingTimes(String meterId, Instant from, Instant to);

    /** Writes one audit row, committed before this returns. */
    void audit(AuditEntry entry);

    /** Audit rows with time in [from, to), oldest first. */
    List<AuditEntry> auditTrail(Instant from, Instant to);

    /**
     * Rows of the {@code alarms} table (V3, written by the alarm lifecycle) of one meter, or of every
     * subject when null, newest raise first, as column name to value in table order: times as
     * {@link Instant}, {@code alarm_id} and {@code volume_lost_l} as Long, the rest as String.
     * Always present since V3 (the Optional is kept for callers written before it).
     */
    Optional<List<Map<String, Object>>> alarms(String meterId, int limit);

    /**
     * Recomputes the engine-maintained rollups from the consumption table (repair tool); with
     * TimescaleDB, refreshes the continuous aggregates over all time.
     */
    void rebuildRollups();
}
