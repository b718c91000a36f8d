package org.meterhub.app.accuracy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.engine.accuracy.AccuracyRules;
import org.meterhub.engine.accuracy.ErrorFormula;
import org.meterhub.engine.accuracy.MonitoringRules;
import org.meterhub.engine.accuracy.RebillError;
import org.meterhub.engine.lifecycle.LifecycleRules;

/**
 * The meter rules file ({@code --rules FILE}, docs/accuracy.md): class limits per flow zone, the
 * dispute's deposit, fee, months re-billed and error formula; meter service life, LPG limit, warranty
 * and scrap review day. Every field is optional over the
 * defaults; unknown fields and bad values are one-line errors naming the file, line and field.
 */
public record MeterRulesFile(AccuracySection accuracy, DisputeSection dispute, LifecycleSection lifecycle, MonitoringSection monitoring) {

    /** In-service monitoring: district residual persistence and listing, check meters and their limit. */
    public record MonitoringSection(Integer districtMinDays, Integer districtTop, BigDecimal checkLimitPercent, Map<String, String> checkMeters) {
        public MonitoringSection {
            rules(districtMinDays, districtTop, checkLimitPercent, checkMeters);
        }

        static MonitoringRules rules(Integer minDays, Integer top, BigDecimal limit, Map<String, String> checks) {
            MonitoringRules d = MonitoringRules.DEFAULTS;
            return new MonitoringRules(minDays == null ? d.districtMinDays() : minDays, top == null ? d.districtTop() : top,
                    limit == null ? d.checkLimitPercent() : limit, checks == null ? d.checkMeters() : checks);
        }
    }

    /** The monitoring settings of the file, or the defaults without one. */
    public static MonitoringRules monitoring(Path file) {
        if (file == null) return MonitoringRules.DEFAULTS;
        MonitoringSection m = new ConfigLoader().load(file, MeterRulesFile.class).monitoring();
        return m == null ? MonitoringRules.DEFAULTS : MonitoringSection.rules(m.districtMinDays(), m.districtTop(), m.checkLimitPercent(), m.checkMeters());
    }

    public record LifecycleSection(Integer naturalGasServiceLifeYears, Integer lpgLimitYears, Integer warrantyYears, Integer scrapReviewDay) {
        public LifecycleSection {
            rules(naturalGasServiceLifeYears, lpgLimitYears, warrantyYears, scrapReviewDay);
        }

        static LifecycleRules rules(Integer life, Integer lpg, Integer warranty, Integer day) {
            LifecycleRules d = LifecycleRules.DEFAULTS;
            return new LifecycleRules(life == null ? d.naturalGasServiceLifeYears() : life, lpg == null ? d.lpgLimitYears() : lpg,
                    warranty == null ? d.warrantyYears() : warranty, day == null ? d.scrapReviewDay() : day);
        }
    }

    /** The lifecycle rules of the file, or the defaults without one. */
    public static LifecycleRules lifecycle(Path file) {
        if (file == null) return LifecycleRules.DEFAULTS;
        LifecycleSection l = new ConfigLoader().load(file, MeterRulesFile.class).lifecycle();
        return l == null ? LifecycleRules.DEFAULTS
                : LifecycleSection.rules(l.naturalGasServiceLifeYears(), l.lpgLimitYears(), l.warrantyYears(), l.scrapReviewDay());
    }

    public record AccuracySection(BigDecimal upperZoneLimitPercent, BigDecimal lowerZoneLimitPercent, BigDecimal qtRatio) {
        public AccuracySection {
            AccuracyRules d = AccuracyRules.DEFAULTS;
            new AccuracyRules(or(upperZoneLimitPercent, d.upperZoneLimitPercent()), or(lowerZoneLimitPercent, d.lowerZoneLimitPercent()),
                    or(qtRatio, d.qtRatio()), d.deposit(), d.testFee(), d.rebillMonths(), d.errorFormula(), d.rebillError());
        }
    }

    public record DisputeSection(BigDecimal deposit, BigDecimal testFee, Integer rebillMonths, String errorFormula, String rebillError) {
        public DisputeSection {
            AccuracyRules d = AccuracyRules.DEFAULTS;
            new AccuracyRules(d.upperZoneLimitPercent(), d.lowerZoneLimitPercent(), d.qtRatio(), or(deposit, d.deposit()),
                    or(testFee, d.testFee()), rebillMonths == null ? d.rebillMonths() : rebillMonths, formula(errorFormula), rebill(rebillError));
        }
    }

    /** The rules of the file, or the defaults without one. */
    public static AccuracyRules load(Path file) {
        if (file == null) return AccuracyRules.DEFAULTS;
        MeterRulesFile f = new ConfigLoader().load(file, MeterRulesFile.class);
        return f.rules();
    }

    /**
     * The rules for opening a case with a spare meter: the seed names a spare-meter deposit and a test
     * fee but gives no amounts, so the file must set both (the built-in 300.00 / 60.00 are placeholders
     * for tests, never charged to a customer from the command line).
     */
    public static AccuracyRules forSpareDispute(Path file) {
        String why = " (the seed names a spare-meter deposit and a test fee but no amounts: set the utility's)";
        if (file == null) throw new ConfigException("--rules: required for a dispute with a spare: dispute.deposit and dispute.test-fee" + why);
        MeterRulesFile f = new ConfigLoader().load(file, MeterRulesFile.class);
        if (f.dispute() == null || f.dispute().deposit() == null) throw new ConfigException(file + ": dispute.deposit: not set" + why);
        if (f.dispute().testFee() == null) throw new ConfigException(file + ": dispute.test-fee: not set" + why);
        return f.rules();
    }

    AccuracyRules rules() {
        AccuracyRules d = AccuracyRules.DEFAULTS;
        AccuracySection a = accuracy == null ? new AccuracySection(null, null, null) : accuracy;
        DisputeSection s = dispute == null ? new DisputeSection(null, null, null, null, null) : dispute;
        try {
            return new AccuracyRules(or(a.upperZoneLimitPercent(), d.upperZoneLimitPercent()), or(a.lowerZoneLimitPercent(), d.lowerZoneLimitPercent()),
                    or(a.qtRatio(), d.qtRatio()), or(s.deposit(), d.deposit()), or(s.testFee(), d.testFee()),
                    s.rebillMonths() == null ? d.rebillMonths() : s.rebillMonths(), formula(s.errorFormula()), rebill(s.rebillError()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static BigDecimal or(BigDecimal v, BigDecimal d) {
        return v == null ? d : v;
    }

    static ErrorFormula formula(String s) {
        if (s == null) return AccuracyRules.DEFAULTS.errorFormula();
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "divide" -> ErrorFormula.DIVIDE;
            case "subtract" -> ErrorFormula.SUBTRACT;
            default -> throw new IllegalArgumentException("error-formula: expected divide (true = metered / (1 + error)) or subtract"
                    + " (true = metered × (1 - error)), got \"" + s + "\"");
        };
    }

    static RebillError rebill(String s) {
        if (s == null) return AccuracyRules.DEFAULTS.rebillError();
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "worst-point" -> RebillError.WORST_POINT;
            case "upper-zone-mean" -> RebillError.UPPER_ZONE_MEAN;
            default -> throw new IllegalArgumentException("rebill-error: expected worst-point or upper-zone-mean, got \"" + s + "\"");
        };
    }
}
