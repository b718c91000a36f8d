package org.meterhub.engine.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Errors, flow zones, limits and the worst point of docs/accuracy.md's worked examples; bad CSV input. */
class AccuracyVerdictTest {
    static final String FAILING = AccuracyCsv.HEADER + "\n"
            + "DF,2026-11-25,city-bureau-bench-2,0.04,6,0.04,10.000,10.250\n"
            + "DF,2026-11-25,city-bureau-bench-2,0.04,6,0.6,50.000,50.500\n"
            + "DF,2026-11-25,city-bureau-bench-2,0.04,6,6,100.000,104.000\n";
    static final String PASSING = AccuracyCsv.HEADER + "\n"
            + "DP,2026-11-25,city-bureau-bench-2,0.04,6,0.04,10.000,10.200\n"
            + "DP,2026-11-25,city-bureau-bench-2,0.04,6,0.6,50.000,50.400\n"
            + "DP,2026-11-25,city-bureau-bench-2,0.04,6,6,100.000,101.200\n";

    @Test
    void failingMeterIsOutsideAtItsWorstPoint() {
        AccuracyVerdict v = AccuracyVerdict.judge(one(FAILING), AccuracyRules.DEFAULTS);
        assertThat(v.qtM3h()).isEqualByComparingTo("0.6");
        assertThat(v.points()).extracting(p -> p.zone() + " " + p.errorPercent().toPlainString() + " " + p.limitPercent() + " " + p.within())
                .containsExactly("LOWER 2.500 3 true", "UPPER 1.000 1.5 true", "UPPER 4.000 1.5 false");
        assertThat(v.within()).isFalse();
        assertThat(v.worst().point().no()).isEqualTo(3);
        assertThat(v.summary()).isEqualTo("OUTSIDE the class limits; worst point 3 at 6 m3/h (Qt<=Q<=Qmax): error +4.000 %,"
                + " limit ±1.5 % OUTSIDE");
        assertThat(v.rebillErrorPercent(AccuracyRules.DEFAULTS)).isEqualByComparingTo("4.000");
        AccuracyRules mean = new AccuracyRules(new BigDecimal("1.5"), new BigDecimal("3"), new BigDecimal("0.1"), new BigDecimal("300"),
                new BigDecimal("60"), 2, ErrorFormula.DIVIDE, RebillError.UPPER_ZONE_MEAN);
        assertThat(v.rebillErrorPercent(mean)).isEqualByComparingTo("2.500");
    }

    @Test
    void passingMeterWorstPointIsTheNearestToItsLimitNotTheLargestError() {
        AccuracyVerdict v = AccuracyVerdict.judge(one(PASSING), AccuracyRules.DEFAULTS);
        assertThat(v.within()).isTrue();
        // +2.000 % of 3 % (0.667 of the limit) is less than +1.200 % of 1.5 % (0.8): point 3 is the worst.
        assertThat(v.worst().point().no()).isEqualTo(3);
        assertThat(v.worst().errorPercent()).isEqualByComparingTo("1.200");
    }

    @Test
    void errorFormulas() {
        assertThat(ErrorFormula.DIVIDE.trueLitres(30_000, new BigDecimal("4.000"))).isEqualTo(28_846);     // 28846.15
        assertThat(ErrorFormula.DIVIDE.trueLitres(14_000, new BigDecimal("4.000"))).isEqualTo(13_462);     // 13461.54
        assertThat(ErrorFormula.SUBTRACT.trueLitres(30_000, new BigDecimal("4.000"))).isEqualTo(28_800);
        assertThat(ErrorFormula.DIVIDE.trueLitres(30_000, new BigDecimal("-4.000"))).isEqualTo(31_250);
    }

    @Test
    void badInputIsOneLineNamingLineAndColumn() {
        bad(AccuracyCsv.HEADER + "\nDF,2026-11-25,b,0.04,6,6,0,104.000\n",
                "t.csv:2: reference_l: must be above zero (the error is relative to it), got 0");
        bad(AccuracyCsv.HEADER + "\nDF,2026-11-25,b,0.04,6,0.01,10,10\n",
                "t.csv:2: flow_m3h: 0.01 is outside the meter's range Qmin 0.04 .. Qmax 6 m3/h");
        bad(AccuracyCsv.HEADER + "\nDF,2026-11-25,b,0.04,6,6,10.0005,10\n",
                "t.csv:2: reference_l: expected litres to at most 3 decimals (whole millilitres), got 10.0005");
        bad(AccuracyCsv.HEADER + "\nDF,2026-13-25,b,0.04,6,6,10,10\n", "t.csv:2: test_date: expected YYYY-MM-DD, got \"2026-13-25\"");
        bad(AccuracyCsv.HEADER + "\nDF,2026-11-25,b,0.04,6,6,10,-1\n", "t.csv:2: meter_l: must not be negative, got -1");
        bad(AccuracyCsv.HEADER + "\nDF,2026-11-25,b,0.04,6,6,10\n", "t.csv:2: expected 8 columns (" + AccuracyCsv.HEADER + "), got 7");
        bad("meter,date\n", "t.csv:1: expected the header " + AccuracyCsv.HEADER + ", got \"meter,date\"");
        bad(AccuracyCsv.HEADER + "\nDF,2026-11-25,b,0.04,6,6,10,10\nDF,2026-11-25,b,0.04,4,2,10,10\n",
                "t.csv:3: qmin_m3h/qmax_m3h: differ from the test's first row (line 2)");
    }

    @Test
    void rulesAreCheckedWithTheFieldNamed() {
        assertThatThrownBy(() -> new AccuracyRules(new BigDecimal("0"), new BigDecimal("3"), new BigDecimal("0.1"), new BigDecimal("300"),
                new BigDecimal("60"), 2, ErrorFormula.DIVIDE, RebillError.WORST_POINT))
                .hasMessage("upper-zone-limit-percent: expected a number above 0 and at most 20, got 0");
        assertThatThrownBy(() -> new AccuracyRules(new BigDecimal("1.5"), new BigDecimal("3"), new BigDecimal("0.1"), new BigDecimal("-1"),
                new BigDecimal("60"), 2, ErrorFormula.DIVIDE, RebillError.WORST_POINT))
                .hasMessage("deposit: must not be negative, got -1");
    }

    private static void bad(String csv, String message) {
        assertThatThrownBy(() -> AccuracyCsv.parse("t.csv", new StringReader(csv))).isInstanceOf(AccuracyException.class).hasMessage(message);
    }

    static AccuracyTest one(String csv) {
        List<AccuracyTest> ts = AccuracyCsv.parse("t.csv", new StringReader(csv));
        assertThat(ts).hasSize(1);
        return ts.get(0);
    }
}
