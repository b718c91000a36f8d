package org.meterhub.engine.accuracy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.billing.BillCalculator;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * In-service monitoring: meters that look wrong while in use, each with its evidence
 * (docs/accuracy.md). So far one kind: a meter that <b>stopped registering</b> while its account is
 * supplied (ignited) — read at least twice in the window with the register unchanged, after using
 * gas in the window of the same length before. Such a meter is replaced by a new one (seed).
 */
public final class InServiceMonitor {
    private final TimeSeriesStore store;

    public record Suspect(String meterId, String accountId, String kind, String evidence) {
    }

    public InServiceMonitor(TimeSeriesStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Suspects over the days {@code first..last} (the store's rollup zone), by account. */
    public List<Suspect> suspects(LocalDate first, LocalDate last) {
        if (last.isBefore(first)) throw new AccuracyException("--to " + last + " is before --from " + first);
        ZoneId zone = store.rollupZone();
        long days = ChronoUnit.DAYS.between(first, last) + 1;
        Instant from = first.atStartOfDay(zone).toInstant();
        Instant to = last.plusDays(1).atStartOfDay(zone).toInstant();
        LocalDate beforeFirst = first.minusDays(days);
        Instant before = beforeFirst.atStartOfDay(zone).toInstant();
        List<Suspect> out = new ArrayList<>();
        for (Account a : store.accounts(AccountState.IGNITED)) {
            if (a.meterId() == null) continue;
            List<Reading> rs = store.readings(a.meterId(), from, to);
            if (rs.size() < 2) continue;
            Reading r0 = rs.get(0);
            Reading r1 = rs.get(rs.size() - 1);
            if (r0.volumeL() != r1.volumeL()) continue;
            long used = store.rollup(Step.DAY, a.meterId(), before, from).stream().mapToLong(RollupRow::volumeL).sum();
            if (used <= 0) continue;
            out.add(new Suspect(a.meterId(), a.accountId(), "STOPPED_REGISTERING", "register " + BillCalculator.m3(r0.volumeL())
                    + " m3 unchanged over " + first + ".." + last + " (" + rs.size() + " readings) while the account is supplied; "
                    + BillCalculator.m3(used) + " m3 used in " + beforeFirst + ".." + first.minusDays(1)));
        }
        return out;
    }
}
