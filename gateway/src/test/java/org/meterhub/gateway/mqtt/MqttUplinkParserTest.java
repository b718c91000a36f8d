package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MqttUplinkParserTest {
    private final UplinkParser parser = new UplinkParser(UplinkSettings.defaults());

    private Uplink parse(String json) throws UplinkRejected {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theContractExampleParsesToExactLitres() throws Exception {
        Uplink u = parse("{\"meter\":\"30001234567890\",\"seq\":1842,\"ts\":\"2026-11-23T08:00:00+08:00\","
                + "\"volume_m3\":\"1234.567\",\"balance_m3\":\"12.300\",\"valve\":\"open\","
                + "\"alarms\":[\"low_balance\"],\"battery_v\":3.55}");
        assertThat(u.meterId()).isEqualTo("30001234567890");
        assertThat(u.seq()).isEqualTo(1842);
        assertThat(u.ts()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(u.volumeL()).isEqualTo(1_234_567L);
        assertThat(u.balanceM3()).isEqualByComparingTo("12.3");
        assertThat(u.valve()).isEqualTo(Valve.OPEN);
        assertThat(u.alarms()).containsExactly(AlarmKind.LOW_BALANCE);
        assertThat(u.batteryV()).isEqualTo(new BigDecimal("3.55"));
    }

    @Test
    void unknownFieldsAndUnknownAlarmNamesAreIgnoredButCounted() throws Exception {
        Uplink u = parse("{\"fw\":{\"v\":[1,2]},\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"7\","
                + "\"alarms\":[\"leak\",\"door_open\"],\"rssi\":-71}");
        assertThat(u.volumeL()).isEqualTo(7000);
        assertThat(u.hasSeq()).isFalse();
        assertThat(u.alarms()).containsExactly(AlarmKind.LEAK);
        assertThat(u.unknownAlarms()).isEqualTo(1);
    }

    @Test
    void negativeBalanceOfAnOverdrawnMeterIsAccepted() throws Exception {
        Uplink u = parse("{\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"0.001\",\"balance_cny\":\"-3.50\"}");
        assertThat(u.volumeL()).isEqualTo(1);
        assertThat(u.balanceCny()).isEqualByComparingTo("-3.5");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "BAD_JSON      | {\"meter\":\"1\",",
        "BAD_JSON      | {\"meter\":\"1\"} trailing",
        "BAD_JSON      | {\"meter\":\"1\",\"meter\":\"2\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\"}",
        "NOT_AN_OBJECT | [1,2,3]",
        "MISSING_METER | {\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\"}",
        "MISSING_TS    | {\"meter\":\"1\",\"volume_m3\":\"1\"}",
        "MISSING_VOLUME| {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\"}",
        "WRONG_TYPE    | {\"meter\":1,\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\"}",
        "WRONG_TYPE    | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":1.5}",
        "WRONG_TYPE    | {\"meter\":\"1\",\"seq\":\"7\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\"}",
        "WRONG_TYPE    | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\",\"alarms\":\"leak\"}",
        "WRONG_TYPE    | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\",\"battery_v\":\"3.5\"}",
        "BAD_VALUE     | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1.2345\"}",
        "BAD_VALUE     | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1e3\"}",
        "BAD_VALUE     | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"-1\"}",
        "BAD_VALUE     | {\"meter\":\"1\",\"ts\":\"2026-11-23 08:00\",\"volume_m3\":\"1\"}",
        "BAD_VALUE     | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\",\"valve\":\"half\"}",
        "BAD_VALUE     | {\"meter\":\"12a\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\"}",
        "ABSURD_VALUE  | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"99999999999\"}",
        "ABSURD_VALUE  | {\"meter\":\"1\",\"seq\":-4,\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\"}",
        "ABSURD_VALUE  | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\",\"battery_v\":230}",
        "ABSURD_VALUE  | {\"meter\":\"1\",\"ts\":\"2026-11-23T08:00:00Z\",\"volume_m3\":\"1\",\"balance_m3\":\"5000000\"}",
    })
    void badMessagesAreRejectedWithTheirReason(RejectReason reason, String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(UplinkRejected.class)
                .satisfies(e -> assertThat(((UplinkRejected) e).reason()).isEqualTo(reason));
    }

    @ParameterizedTest
    @CsvSource({"2026-11-23T08:00:00+08:00", "2026-11-23T08:00:00Z", "2026-11-23T08:00:00-03:30", "2024-02-29T23:59:59+14:00",
            "2026-11-23T08:00:00.250+08:00", "2026-11-23T08:00+08:00"})
    void theFastTimeParserAgreesWithTheIsoParser(String ts) throws Exception {
        Uplink u = parse("{\"meter\":\"1\",\"ts\":\"" + ts + "\",\"volume_m3\":\"1\"}");
        assertThat(u.ts()).isEqualTo(java.time.OffsetDateTime.parse(ts).toInstant());
    }

    @ParameterizedTest
    @CsvSource({"2026-02-30T08:00:00+08:00", "2026-11-23T24:00:00Z", "2026-11-23T08:00:00+25:00", "2026-11-23T08:00:00"})
    void impossibleTimesAreBadValues(String ts) {
        assertThatThrownBy(() -> parse("{\"meter\":\"1\",\"ts\":\"" + ts + "\",\"volume_m3\":\"1\"}"))
                .satisfies(e -> assertThat(((UplinkRejected) e).reason()).isEqualTo(RejectReason.BAD_VALUE));
    }

    @Test
    void emptyAndOversizedPayloadsAreRejected() {
        assertThatThrownBy(() -> parse("")).satisfies(e -> assertThat(((UplinkRejected) e).reason()).isEqualTo(RejectReason.BAD_JSON));
        String big = "{\"pad\":\"" + "x".repeat(9000) + "\"}";
        assertThatThrownBy(() -> parse(big)).satisfies(e -> assertThat(((UplinkRejected) e).reason()).isEqualTo(RejectReason.TOO_LARGE));
    }
}
