package org.meterhub.engine.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class StepTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void parsesLabelsAndNames() {
        assertThat(Step.parse("1h")).isEqualTo(Step.HOUR);
        assertThat(Step.parse("1d")).isEqualTo(Step.DAY);
        assertThat(Step.parse("1mo")).isEqualTo(Step.MONTH);
        assertThat(Step.parse(" 1MO ")).isEqualTo(Step.MONTH);
        assertThat(Step.parse("day")).isEqualTo(Step.DAY);
        assertThat(Step.parse("HOUR")).isEqualTo(Step.HOUR);
        assertThat(Step.MONTH.label()).isEqualTo("1mo");
        assertThat(Step.DAY).hasToString("1d");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "1m", "1w", "2h", "60min", "monthly"})
    void refusesAnythingElseNamingTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Step.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown step '" + text + "': expected one of 1h, 1d, 1mo");
    }

    @Test
    void alignsDaysAndMonthsToLocalMidnight() {
        Instant t = Instant.parse("2024-01-31T16:30:00Z"); // 2024-02-01 00:30 in Shanghai
        assertThat(Step.HOUR.floor(t, SHANGHAI)).isEqualTo(Instant.parse("2024-01-31T16:00:00Z"));
        assertThat(Step.DAY.floor(t, SHANGHAI)).isEqualTo(Instant.parse("2024-01-31T16:00:00Z"));
        assertThat(Step.MONTH.floor(t, SHANGHAI)).isEqualTo(Instant.parse("2024-01-31T16:00:00Z"));
        assertThat(Step.DAY.floor(t, ZoneId.of("UTC"))).isEqualTo(Instant.parse("2024-01-31T00:00:00Z"));
        assertThat(Step.MONTH.floor(t, ZoneId.of("UTC"))).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(Step.MONTH.next(Instant.parse("2024-01-31T16:00:00Z"), SHANGHAI))
                .isEqualTo(Instant.parse("2024-02-29T16:00:00Z")); // leap February
        assertThat(Step.DAY.next(Instant.parse("2024-01-31T16:00:00Z"), SHANGHAI))
                .isEqualTo(Instant.parse("2024-02-01T16:00:00Z"));
    }
}
