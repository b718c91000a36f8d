package org.meterhub.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

class WireFormatTest {
    private final WireFormat wire = new WireFormat();
    private static final Instant T = Instant.parse("2026-11-24T14:00:00.123Z");

    static ReadingBatch sample() {
        Reading trusted = new Reading("30000000000001", T, T.plusMillis(250), 1_234_560, ReadingSource.CJT188, Set.of(), 0);
        Reading skewed = new Reading("30000000000009", T.plusSeconds(1), T.plusSeconds(1), 42, ReadingSource.MQTT,
                EnumSet.of(ReadingFlag.CLOCK_SKEW, ReadingFlag.LOW_BATTERY), 0x84, T.minusSeconds(3600));
        return ReadingBatch.of("gw-01", 3, T, List.of(new BatchEntry(101, trusted), new BatchEntry(160, skewed)));
    }

    @Test
    void aVolumeConvertersValuesTravelExactly() throws Exception {
        Reading evc = new Reading("EVC-1", T, T, 5_200_000, ReadingSource.MODBUS, Set.of(), 0, T,
                new ConverterValues(5_000_123, new java.math.BigDecimal("103.40"), new java.math.BigDecimal("-2.5")));
        ReadingBatch batch = ReadingBatch.of("gw-01", 1, T, List.of(new BatchEntry(7, evc)));
        byte[] bytes = wire.encode(batch);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"cv\":{\"vm\":5000123,\"p\":\"103.40\",\"t\":\"-2.5\"}");
        ReadingBatch back = wire.decodeBatch(bytes);
        assertThat(back).isEqualTo(batch);
        assertThat(back.entries().get(0).reading().converter().pressureKpa()).hasToString("103.40");
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> wire.decodeBatch(json.replace("\"103.40\"", "\"high\"").getBytes()))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("r[0].cv.");
        assertThatThrownBy(() -> wire.decodeBatch(json.replace("\"vm\":5000123", "\"vm\":\"x\"").getBytes()))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("r[0].cv.vm: expected an integer");
    }

    @Test
    void aBatchSurvivesTheRoundTripWithEveryField() throws Exception {
        ReadingBatch batch = sample();
        ReadingBatch back = wire.decodeBatch(wire.encode(batch));
        assertThat(back).isEqualTo(batch);
        assertThat(back.entries().get(1).reading().meterTime()).isEqualTo(T.minusSeconds(3600));
        assertThat(back.entries().get(0).reading().meterTime()).isNull();
        String json = new String(wire.encode(batch), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"v\":1,\"gw\":\"gw-01\",\"p\":3,\"first\":101,\"last\":160,")
                .contains("\"f\":[\"CLOCK_SKEW\",\"LOW_BATTERY\"]");
    }

    @Test
    void aNackSurvivesTheRoundTripAndIsNeverTakenForAnAck() throws Exception {
        BatchNack nack = BatchNack.of(sample(), java.time.Duration.ofMillis(1500), "store: DOWN since 2026-12-07T09:00:00Z");
        byte[] bytes = wire.encode(nack);
        assertThat(wire.decodeReply(bytes)).isEqualTo(nack);
        // a gateway that knows only acknowledgements rejects it (no "n") instead of deleting the batch
        assertThatThrownBy(() -> wire.decodeAck(bytes)).isInstanceOf(WireFormatException.class);
        BatchAck ack = sample().ack();
        assertThat(wire.decodeReply(wire.encode(ack))).isEqualTo(ack);
    }

    @Test
    void anEnginesReadyAnnouncementSurvivesTheRoundTrip() throws Exception {
        EngineReady ready = new EngineReady("meterhub-eng-1", Set.of(3, 0, 7));
        assertThat(wire.decodeReady(wire.encode(ready))).isEqualTo(ready);
        assertThat(new String(wire.encode(ready), StandardCharsets.UTF_8)).isEqualTo("{\"v\":1,\"engine\":\"meterhub-eng-1\",\"p\":[0,3,7]}");
        assertThatThrownBy(() -> wire.decodeReady("{\"v\":1,\"engine\":\"e\",\"p\":[-1]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WireFormatException.class);
    }

    @Test
    void anAckSurvivesTheRoundTrip() throws Exception {
        BatchAck ack = sample().ack();
        assertThat(ack).isEqualTo(new BatchAck("gw-01", 3, 101, 160, 2));
        assertThat(wire.decodeAck(wire.encode(ack))).isEqualTo(ack);
        assertThat(new String(wire.encode(ack), StandardCharsets.UTF_8)).doesNotContain("rej");
    }

    @Test
    void anAckNamingReadingsRefusedForGoodSurvivesTheRoundTrip() throws Exception {
        BatchAck ack = new BatchAck("gw-01", 3, 101, 160, 2, java.util.Map.of(117L, "SQLState 23514: check violated"));
        assertThat(new String(wire.encode(ack), StandardCharsets.UTF_8))
                .contains("\"rej\":[{\"s\":117,\"why\":\"SQLState 23514: check violated\"}]");
        assertThat(wire.decodeAck(wire.encode(ack))).isEqualTo(ack);
        assertThatThrownBy(() -> wire.decodeAck(("{\"v\":1,\"gw\":\"g\",\"p\":0,\"first\":5,\"last\":9,\"n\":1,"
                + "\"rej\":[{\"s\":12,\"why\":\"x\"}]}").getBytes())).isInstanceOf(WireFormatException.class);
    }

    @Test
    void badInputIsAClearRejection() {
        assertThatThrownBy(() -> wire.decodeBatch("nonsense".getBytes())).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> wire.decodeBatch("{\"v\":2,\"r\":[]}".getBytes()))
                .hasMessageContaining("unsupported format version 2");
        String good = new String(wire.encode(sample()), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> wire.decodeBatch(good.replace("\"CJT188\"", "\"TELEPATHY\"").getBytes()))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("r[0]");
        assertThatThrownBy(() -> wire.decodeBatch(good.replace("\"l\":1234560", "\"l\":\"lots\"").getBytes()))
                .hasMessageContaining("r[0].l: expected an integer");
        assertThatThrownBy(() -> wire.decodeBatch(good.replace("\"last\":160", "\"last\":150").getBytes()))
                .hasMessageContaining("do not match");
        assertThatThrownBy(() -> wire.decodeAck("{\"v\":1,\"gw\":\"g\",\"p\":0,\"first\":5,\"last\":4,\"n\":1}".getBytes()))
                .hasMessageContaining("bad range");
    }

    @Test
    void unknownFieldsAreIgnoredSoVersion1CanGrow() throws Exception {
        String json = new String(wire.encode(sample()), StandardCharsets.UTF_8).replace("{\"v\":1,", "{\"v\":1,\"extra\":true,");
        assertThat(wire.decodeBatch(json.getBytes()).entries()).hasSize(2);
    }

    @Test
    void partitionsAreCrc32ModuloTheCountAndStable() {
        // CRC-32 of "30000000000001" is fixed by the algorithm, so every implementation agrees.
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("30000000000001".getBytes(StandardCharsets.UTF_8));
        assertThat(Partitions.of("30000000000001", 16)).isEqualTo((int) (crc.getValue() % 16));
        int[] seen = new int[8];
        for (int i = 0; i < 8000; i++) seen[Partitions.of(String.format("3%013d", i), 8)]++;
        assertThat(java.util.stream.IntStream.of(seen).min().getAsInt()).isGreaterThan(800);
        assertThat(java.util.stream.IntStream.of(seen).max().getAsInt()).isLessThan(1200);
        assertThatThrownBy(() -> Partitions.of("1", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A gateway's alarm and its acknowledgement; an old gateway's reply decoder never takes the alarm ack for a batch ack. */
    @Test
    void gatewayAlarmsAndTheirAcknowledgementsRoundTrip() throws Exception {
        GatewayAlarm a = new GatewayAlarm("gw-01", "6f1c", "TAMPER", "DTU-0001", "DTU registration from /198.51.100.7:40123"
                + " refused: no proof offered", java.time.Instant.ofEpochMilli(1_764_000_000_123L));
        org.assertj.core.api.Assertions.assertThat(wire.decodeAlarm(wire.encode(a))).isEqualTo(a);
        org.assertj.core.api.Assertions.assertThat(wire.decodeReply(wire.encode(new AlarmAck("gw-01", "6f1c"))))
                .isEqualTo(new AlarmAck("gw-01", "6f1c"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wire.decodeAck(wire.encode(new AlarmAck("gw-01", "6f1c"))))
                .isInstanceOf(WireFormatException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wire.decodeAlarm(
                "{\"v\":1,\"gw\":\"gw-01\",\"alarm\":\"x\",\"kind\":\"TAMPER\",\"subject\":\"D\",\"t\":1}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("detail");
    }
}
