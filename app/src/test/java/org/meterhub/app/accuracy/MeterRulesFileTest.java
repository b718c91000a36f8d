package org.meterhub.app.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.accuracy.AccuracyRules;
import org.meterhub.engine.accuracy.ErrorFormula;
import org.meterhub.engine.accuracy.RebillError;

/** The meter rules file: decimals kept exactly, defaults for what is left out, one-line errors naming the field. */
class MeterRulesFileTest {
    @TempDir
    Path dir;

    @Test
    void readsExactDecimalsAndKeepsDefaults() throws IOException {
        Path f = dir.resolve("rules.yaml");
        Files.writeString(f, "accuracy:\n  qt-ratio: 0.1\n  upper-zone-limit-percent: 1\ndispute:\n  deposit: 250.5\n  error-formula: subtract\n"
                + "  rebill-error: upper-zone-mean\n");
        AccuracyRules r = MeterRulesFile.load(f);
        assertThat(r.qtRatio().toPlainString()).isEqualTo("0.1");
        assertThat(r.upperZoneLimitPercent()).isEqualByComparingTo("1");
        assertThat(r.lowerZoneLimitPercent()).isEqualByComparingTo("3");
        assertThat(r.deposit().toPlainString()).isEqualTo("250.50");
        assertThat(r.testFee().toPlainString()).isEqualTo("60.00");
        assertThat(r.rebillMonths()).isEqualTo(2);
        assertThat(r.errorFormula()).isEqualTo(ErrorFormula.SUBTRACT);
        assertThat(r.rebillError()).isEqualTo(RebillError.UPPER_ZONE_MEAN);
        assertThat(MeterRulesFile.lifecycle(f).lpgLimitYears()).isEqualTo(6);
    }

    @Test
    void badFieldsAreOneLine() throws IOException {
        Path f = dir.resolve("rules.yaml");
        Files.writeString(f, "dispute:\n  test-fee: 60.001\n");
        assertThatThrownBy(() -> MeterRulesFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2: dispute.test-fee: expected whole fen (0.01 CNY), got 60.001");
        Files.writeString(f, "dispute:\n  rebill-months: 0\n");
        assertThatThrownBy(() -> MeterRulesFile.load(f)).hasMessage(f + ":2: dispute.rebill-months: expected 1..24, got 0");
        Files.writeString(f, "accuracy:\n  qt-ratio: 1.5\n");
        assertThatThrownBy(() -> MeterRulesFile.load(f)).hasMessage(f + ":2: accuracy.qt-ratio: expected a number above 0 and at most 1, got 1.5");
        Files.writeString(f, "accuracy:\n  class: 1.5\n");
        assertThatThrownBy(() -> MeterRulesFile.load(f)).hasMessageStartingWith(f + ":2: accuracy: unknown field \"class\"");
    }
}
