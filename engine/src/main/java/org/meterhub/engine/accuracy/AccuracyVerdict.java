package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A test judged against the class limits: each point's error, flow zone and limit, the worst point
 * (the largest |error| / limit) and whether every point is within its limit.
 */
public record AccuracyVerdict(AccuracyTest test, BigDecimal qtM3h, List<PointResult> points, PointResult worst, boolean within) {

    public record PointResult(TestPoint point, FlowZone zone, BigDecimal errorPercent, BigDecimal limitPercent, boolean within) {
        /** |error| / limit: above 1 is outside. */
        BigDecimal share() {
            return errorPercent.abs().divide(limitPercent, 6, RoundingMode.HALF_UP);
        }

        public String describe() {
            return "point " + point.no() + " at " + point.flowM3h().toPlainString() + " m3/h (" + zone.shown() + "): error "
                    + signed(errorPercent) + " %, limit ±" + limitPercent.stripTrailingZeros().toPlainString() + " %"
                    + (within ? "" : " OUTSIDE");
        }
    }

    /** Judges the test by the rules' limits. */
    public static AccuracyVerdict judge(AccuracyTest t, AccuracyRules rules) {
        BigDecimal qt = t.qmaxM3h().multiply(rules.qtRatio());
        List<PointResult> rs = new ArrayList<>();
        PointResult worst = null;
        for (TestPoint p : t.points()) {
            FlowZone z = p.flowM3h().compareTo(qt) < 0 ? FlowZone.LOWER : FlowZone.UPPER;
            BigDecimal e = p.errorPercent();
            BigDecimal limit = rules.limit(z);
            PointResult r = new PointResult(p, z, e, limit, e.abs().compareTo(limit) <= 0);
            rs.add(r);
            if (worst == null || r.share().compareTo(worst.share()) > 0) worst = r;
        }
        return new AccuracyVerdict(t, qt, rs, worst, rs.stream().allMatch(PointResult::within));
    }

    /** The error a failed dispute re-bills by, per the rules' {@link RebillError}. */
    public BigDecimal rebillErrorPercent(AccuracyRules rules) {
        if (rules.rebillError() == RebillError.WORST_POINT) return worst.errorPercent();
        List<BigDecimal> upper = points.stream().filter(p -> p.zone() == FlowZone.UPPER).map(PointResult::errorPercent).toList();
        if (upper.isEmpty()) return worst.errorPercent();
        return upper.stream().reduce(BigDecimal.ZERO, BigDecimal::add).divide(BigDecimal.valueOf(upper.size()), 3, RoundingMode.HALF_UP);
    }

    public String summary() {
        return (within ? "WITHIN the class limits" : "OUTSIDE the class limits") + "; worst " + worst.describe();
    }

    static String signed(BigDecimal v) {
        return (v.signum() > 0 ? "+" : "") + v.toPlainString();
    }
}
