package org.meterhub.engine.lifecycle;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Issuing meters from stock and the replacement list (docs/accuracy.md, "Meter lifecycle"): stock
 * is issued oldest first-verification date first (seed: FIFO); an LPG meter older than the LPG limit
 * (6 years, seed) is never issued, and neither is a refurbished meter where a new one is required
 * (dispute, overdraft, stopped registering; seed).
 */
public final class MeterLifecycle {
    private final JdbcMeterLifecycle meters;
    private final LifecycleRules rules;
    private final Clock clock;

    /** A meter passed over at issue, and why. */
    public record Refusal(String meterId, String reason) {
    }

    public record Issued(MeterRecord meter, List<Refusal> passedOver) {
    }

    public enum DueKind {
        /** Installed and past its service life: replace. */
        REPLACE,
        /** Out of service (in stock, removed, under test) and past its service life: scrap review. */
        SCRAP_REVIEW,
        /** Removed or under test within the maker's warranty: back to the maker for repair. */
        WARRANTY_REPAIR
    }

    public record Due(MeterRecord meter, DueKind kind, String why) {
    }

    public MeterLifecycle(JdbcMeterLifecycle meters, LifecycleRules rules, Clock clock) {
        this.meters = Objects.requireNonNull(meters, "meters");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Issues the first eligible stock meter of the gas type, oldest first verification first; the ones passed over with reasons. */
    public Issued issue(GasType gas, IssueReason reason, LocalDate day, String forWhat) {
        return meters.database().tx("issue a meter", c -> {
            List<MeterRecord> stock = meters.all(c).stream().filter(m -> m.state() == MeterState.IN_STOCK && m.gasType() == gas)
                    .sorted(Comparator.comparing(MeterRecord::firstVerification).thenComparing(MeterRecord::meterId)).toList();
            List<Refusal> refused = new ArrayList<>();
            for (MeterRecord m : stock) {
                String why = refusal(m, reason, day);
                if (why != null) {
                    refused.add(new Refusal(m.meterId(), why));
                    continue;
                }
                MeterRecord issued = meters.change(c, m.meterId(), day, MeterState.ISSUED, "issued (" + reason.name().toLowerCase().replace('_', ' ')
                        + ")" + (forWhat == null || forWhat.isBlank() ? "" : " for " + forWhat), clock.instant());
                return new Issued(issued, refused);
            }
            StringBuilder msg = new StringBuilder("no " + gas.name().toLowerCase().replace('_', ' ') + " meter in stock can be issued for "
                    + reason.name().toLowerCase().replace('_', ' '));
            if (!refused.isEmpty()) {
                msg.append(": ");
                for (int i = 0; i < refused.size(); i++) msg.append(i == 0 ? "" : "; ").append(refused.get(i).meterId()).append(" ").append(refused.get(i).reason());
            }
            throw new LifecycleException(msg.toString());
        });
    }

    /** Why a stock meter cannot be issued on the day for the reason, or null. */
    public String refusal(MeterRecord m, IssueReason reason, LocalDate day) {
        if (m.gasType() == GasType.LPG && day.isAfter(m.ageFrom().plusYears(rules.lpgLimitYears()))) {
            return "is an LPG meter older than " + rules.lpgLimitYears() + " years (from " + m.ageFrom() + ")";
        }
        if (m.gasType() == GasType.NATURAL_GAS && !day.isBefore(m.lifeEnds(rules))) {
            return "is past its service life of " + rules.naturalGasServiceLifeYears() + " years (from " + m.ageFrom() + ")";
        }
        if (reason.needsNewMeter() && !m.isNew()) {
            return "is refurbished; " + reason.name().toLowerCase().replace('_', ' ') + " needs a new meter";
        }
        return null;
    }

    /** The scrap review day on or after the day (the 26th by default). */
    public LocalDate nextScrapReview(LocalDate day) {
        LocalDate review = day.withDayOfMonth(rules.scrapReviewDay());
        return review.isBefore(day) ? review.plusMonths(1) : review;
    }

    /** Meters due on the day: installed past service life (replace), out of service past it (scrap review), within warranty and out (repair). */
    public List<Due> due(LocalDate day) {
        List<Due> out = new ArrayList<>();
        for (MeterRecord m : meters.all()) {
            MeterState s = m.state();
            if (s == MeterState.SCRAPPED) continue;
            boolean past = m.gasType() == GasType.LPG ? day.isAfter(m.lifeEnds(rules)) : !day.isBefore(m.lifeEnds(rules));
            String life = (m.gasType() == GasType.LPG ? "LPG limit " : "service life ") + rules.lifeYears(m.gasType()) + " years from "
                    + m.ageFrom() + " ended " + m.lifeEnds(rules);
            if (past && s == MeterState.INSTALLED) {
                out.add(new Due(m, DueKind.REPLACE, life + "; installed since " + m.installedOn().orElseThrow()));
            } else if (past && s != MeterState.ISSUED) {
                out.add(new Due(m, DueKind.SCRAP_REVIEW, life + "; " + s.name().toLowerCase().replace('_', ' ')));
            } else if ((s == MeterState.REMOVED || s == MeterState.UNDER_TEST) && !day.isAfter(m.warrantyEnds(rules))) {
                out.add(new Due(m, DueKind.WARRANTY_REPAIR, "within the maker's warranty (" + rules.warrantyYears() + " years from first verification "
                        + m.firstVerification() + ", until " + m.warrantyEnds(rules) + "); " + s.name().toLowerCase().replace('_', ' ')));
            }
        }
        return out;
    }
}
