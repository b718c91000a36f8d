package org.meterhub.app.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.meterhub.engine.coverage.CoverageSettings;
import org.meterhub.engine.estimation.EstimationSettings;

/**
 * The reading rules' numbers as a YAML file ({@code --settings FILE} of {@code coverage} and
 * {@code estimate}); every field optional, defaults from the gas service regulations:
 * <pre>
 * monthly-target-percent: 98      # accounts to read, read in the cycle
 * quarterly-target-percent: 100   # accounts to read, read at least once in the quarter
 * max-estimated-percent: 2        # estimates, of all households managed
 * required-failed-reads: 3        # recorded failed attempts before an estimate is allowed
 * commercial-read-every: 7d       # commercial and industrial accounts
 * </pre>
 */
public record CoverageSection(BigDecimal monthlyTargetPercent, BigDecimal quarterlyTargetPercent,
                              BigDecimal maxEstimatedPercent, Integer requiredFailedReads, Duration commercialReadEvery) {
    public CoverageSection {
        CoverageSettings d = CoverageSettings.defaults();
        monthlyTargetPercent = monthlyTargetPercent != null ? monthlyTargetPercent : d.monthlyTargetPercent();
        quarterlyTargetPercent = quarterlyTargetPercent != null ? quarterlyTargetPercent : d.quarterlyTargetPercent();
        maxEstimatedPercent = maxEstimatedPercent != null ? maxEstimatedPercent : d.maxEstimatedPercent();
        requiredFailedReads = requiredFailedReads != null ? requiredFailedReads : EstimationSettings.defaults().requiredFailedReads();
        commercialReadEvery = commercialReadEvery != null ? commercialReadEvery : d.commercialReadEvery();
        if (requiredFailedReads < 1) {
            throw new IllegalArgumentException("required-failed-reads: expected at least 1, got " + requiredFailedReads);
        }
        new CoverageSettings(monthlyTargetPercent, quarterlyTargetPercent, maxEstimatedPercent, commercialReadEvery);
    }

    public static CoverageSection defaults() {
        return new CoverageSection(null, null, null, null, null);
    }

    /** The file, or the defaults when {@code file} is null; a bad value is a one-line error naming the field. */
    public static CoverageSection load(String file) {
        return file == null ? defaults() : new ConfigLoader().load(Path.of(file), CoverageSection.class);
    }

    public CoverageSettings coverage() {
        return new CoverageSettings(monthlyTargetPercent, quarterlyTargetPercent, maxEstimatedPercent, commercialReadEvery);
    }

    public EstimationSettings estimation() {
        return new EstimationSettings(requiredFailedReads, maxEstimatedPercent);
    }
}
