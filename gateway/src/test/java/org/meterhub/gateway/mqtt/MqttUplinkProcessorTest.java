package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.prepaid.BalanceReport;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.junit.jupiter.api.Test;

/** Duplicates, gaps, reordering, alarms and validation, without a broker. */
class MqttUplinkProcessorTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private final List<Reading> readings = new ArrayList<>();
    private final List<AlarmEvent> alarms = new ArrayList<>();
    private final List<BalanceReport> balances = new ArrayList<>();
    private final Clock clock = Clock.fixed(T0.plusSeconds(3600 * 5), ZoneOffset.UTC);

    private UplinkProcessor processor(UplinkSettings s) {
        return new UplinkProcessor(s, readings::add, balances::add, alarms::add, clock, new MqttCounters());
    }

    /** The test clock stands at T0+5h while meters report T0..T0+4h: allow that much skew. */
    private static UplinkSettings base() {
        return UplinkSettings.defaults().withMaxClockSkew(Duration.ofDays(1));
    }

    private static byte[] msg(String meter, long seq, int hour, String volume, String extra) {
        return ("{\"meter\":\"" + meter + "\",\"seq\":" + seq + ",\"ts\":\"" + T0.plusSeconds(3600L * hour)
                + "\",\"volume_m3\":\"" + volume + "\"" + extra + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void inOrderMessagesBecomeMqttReadingsAtOnce() {
        UplinkProcessor p = processor(base());
        p.onMessage("meters/42/up", msg("42", 1, 0, "10.000", ",\"valve\":\"closed\",\"balance_m3\":\"3.000\""));
        p.onMessage("meters/42/up", msg("42", 2, 1, "10.250", ""));
        assertThat(readings).extracting(Reading::volumeL).containsExactly(10_000L, 10_250L);
        Reading r = readings.get(0);
        assertThat(r.source()).isEqualTo(ReadingSource.MQTT);
        assertThat(r.time()).isEqualTo(T0);
        assertThat(r.flags()).containsExactly(ReadingFlag.VALVE_CLOSED);
        assertThat(balances).singleElement().satisfies(b -> assertThat(b.balance()).isEqualByComparingTo("3"));
        assertThat(p.counters().readings.get()).isEqualTo(2);
    }

    @Test
    void aDuplicateSeqHasOneEffect() {
        UplinkProcessor p = processor(base());
        p.onMessage("meters/42/up", msg("42", 7, 0, "1", ",\"alarms\":[\"leak\"]"));
        p.onMessage("meters/42/up", msg("42", 7, 0, "1", ",\"alarms\":[\"leak\"]"));
        assertThat(readings).hasSize(1);
        assertThat(alarms).hasSize(1);
        assertThat(p.counters().duplicates.get()).isEqualTo(1);
    }

    @Test
    void reorderedMessagesAreReleasedInSeqOrderWithoutCountingAGap() {
        UplinkProcessor p = processor(base().withReorderWindow(Duration.ofMinutes(1)));
        p.onMessage("meters/42/up", msg("42", 1, 0, "1.000", ""));
        p.onMessage("meters/42/up", msg("42", 3, 2, "3.000", ""));
        p.onMessage("meters/42/up", msg("42", 4, 3, "4.000", ""));
        assertThat(readings).hasSize(1); // 3 and 4 wait for 2
        p.onMessage("meters/42/up", msg("42", 2, 1, "2.000", ""));
        assertThat(readings).extracting(Reading::volumeL).containsExactly(1000L, 2000L, 3000L, 4000L);
        assertThat(p.missedUplinks("42")).isZero();
        assertThat(p.counters().reordered.get()).isEqualTo(2);
    }

    @Test
    void aGapIsCountedWhenTheWindowPassesAndALateArrivalIsFlaggedAndUncounted() throws Exception {
        UplinkProcessor p = processor(base().withReorderWindow(Duration.ofMillis(30)));
        p.onMessage("meters/42/up", msg("42", 10, 0, "1.000", ""));
        p.onMessage("meters/42/up", msg("42", 13, 3, "4.000", ""));
        Thread.sleep(40);
        p.expireHeld();
        assertThat(readings).extracting(Reading::volumeL).containsExactly(1000L, 4000L);
        assertThat(p.missedUplinks("42")).isEqualTo(2);
        assertThat(p.counters().missedUplinks.get()).isEqualTo(2);
        p.onMessage("meters/42/up", msg("42", 11, 1, "2.000", ""));
        assertThat(readings.get(2).flags()).contains(ReadingFlag.LATE);
        assertThat(p.missedUplinks("42")).isEqualTo(1);
    }

    @Test
    void aRestartedCounterIsTakenAsAReset() {
        UplinkProcessor p = processor(base());
        p.onMessage("meters/42/up", msg("42", 500, 0, "1.000", ""));
        p.onMessage("meters/42/up", msg("42", 1, 2, "1.500", ""));
        assertThat(readings).hasSize(2);
        assertThat(p.counters().seqResets.get()).isEqualTo(1);
        assertThat(p.missedUplinks("42")).isZero();
    }

    @Test
    void alarmsAreRaisedAndClearedOnEdgesOnly() {
        UplinkProcessor p = processor(base());
        p.onMessage("meters/42/up", msg("42", 1, 0, "1", ",\"alarms\":[\"low_balance\",\"tamper\"]"));
        p.onMessage("meters/42/up", msg("42", 2, 1, "1", ",\"alarms\":[\"low_balance\",\"tamper\"]"));
        p.onMessage("meters/42/up", msg("42", 3, 2, "1", ",\"alarms\":[\"low_balance\"]"));
        assertThat(alarms).extracting(a -> a.kind() + ":" + a.raised())
                .containsExactlyInAnyOrder("LOW_BALANCE:true", "TAMPER:true", "TAMPER:false");
        assertThat(alarms.get(2).time()).isEqualTo(T0.plusSeconds(7200));
    }

    @Test
    void rejectionsAreCountedByReasonAndNothingElseIsLost() {
        UplinkProcessor p = processor(base().withAllowList(Set.of("42", "43")));
        p.onMessage("meters/42/up", "not json".getBytes(StandardCharsets.UTF_8));
        p.onMessage("meters/42/up", msg("43", 1, 0, "1", ""));
        p.onMessage("meters/99/up", msg("99", 1, 0, "1", ""));
        p.onMessage("meters/abc/up", msg("42", 1, 0, "1", ""));
        p.onMessage("meters/42/up", msg("42", 1, 0, "1.0001", ""));
        p.onMessage("meters/42/up", msg("42", 2, 1, "2", ""));
        MqttCounters c = p.counters();
        assertThat(c.rejected(RejectReason.BAD_JSON)).isEqualTo(1);
        assertThat(c.rejected(RejectReason.TOPIC_MISMATCH)).isEqualTo(1);
        assertThat(c.rejected(RejectReason.UNKNOWN_METER)).isEqualTo(1);
        assertThat(c.rejected(RejectReason.BAD_TOPIC)).isEqualTo(1);
        assertThat(c.rejected(RejectReason.BAD_VALUE)).isEqualTo(1);
        assertThat(c.received.get()).isEqualTo(6);
        assertThat(readings).extracting(Reading::volumeL).containsExactly(2000L);
    }

    @Test
    void aMeterClockAheadOfTheGatewayGivesWayToTheReceiveTime() {
        UplinkProcessor p = processor(UplinkSettings.defaults().withMaxClockSkew(Duration.ofMinutes(10)));
        // clock is T0+5h; the meter says T0+9h: four hours ahead
        p.onMessage("meters/42/up", msg("42", 1, 9, "1", ""));
        assertThat(readings.get(0).time()).isEqualTo(clock.instant());
        assertThat(readings.get(0).flags()).contains(ReadingFlag.CLOCK_SKEW);
        assertThat(readings.get(0).meterTime()).isEqualTo(T0.plusSeconds(9 * 3600));
    }

    @Test
    void aTsInThePastUpToMaxBackfillIsWhenTheRegisterWasMeasured() {
        UplinkProcessor p = processor(UplinkSettings.defaults().withMaxClockSkew(Duration.ofMinutes(10))
                .withMaxBackfill(Duration.ofDays(1)));
        // clock is T0+5h: four hours ago is a meter sending late (protocols.md §3), 30 h ago is past max-backfill
        p.onMessage("meters/42/up", msg("42", 1, 1, "1", ""));
        p.onMessage("meters/43/up", msg("43", 1, -25, "1", ""));
        assertThat(readings.get(0).time()).isEqualTo(T0.plusSeconds(3600));
        assertThat(readings.get(0).flags()).doesNotContain(ReadingFlag.CLOCK_SKEW);
        assertThat(readings.get(1).time()).isEqualTo(clock.instant());
        assertThat(readings.get(1).flags()).contains(ReadingFlag.CLOCK_SKEW);
    }

    @Test
    void aReadingTheEngineRefusedIsTakenAgainWhenTheBrokerRedeliversIt() {
        boolean[] refuse = {true};
        UplinkProcessor p = new UplinkProcessor(base(), r -> {
            if (refuse[0]) throw new IllegalStateException("ingest pipeline is closed");
            readings.add(r);
        }, balances::add, alarms::add, clock, new MqttCounters());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.onMessage("meters/42/up", msg("42", 5, 0, "1", "")))
                .isInstanceOf(IllegalStateException.class);
        refuse[0] = false;
        p.onMessage("meters/42/up", msg("42", 5, 0, "1", ""));
        assertThat(readings).hasSize(1);
        assertThat(p.counters().duplicates.get()).isZero();
    }

    @Test
    void topicMatchingFollowsMqttWildcards() {
        assertThat(MqttLink.matches("meters/+/up", "meters/123/up")).isTrue();
        assertThat(MqttLink.matches("meters/+/up", "meters/123/ack")).isFalse();
        assertThat(MqttLink.matches("meters/+/up", "meters/1/2/up")).isFalse();
        assertThat(MqttLink.matches("t/#", "t/a/b")).isTrue();
    }

    /**
     * The alarm store away while a clear is handed on: the message is not acknowledged (its future fails; nothing is
     * thrown into the MQTT client's callback) and its redelivery hands the clear on again.
     */
    @Test
    void anAlarmEdgeThatCannotBeRecordedWithholdsTheAckAndIsHandedOnAgainOnTheRedelivery() {
        boolean[] storeDown = {false};
        UplinkProcessor p = new UplinkProcessor(base(), readings::add, balances::add, a -> {
            if (storeDown[0]) throw new IllegalStateException("store away");
            alarms.add(a);
        }, clock, new MqttCounters());
        assertThat(p.onMessage("meters/42/up", msg("42", 1, 0, "1", ",\"alarms\":[\"leak\"]"))).isCompleted();
        storeDown[0] = true;
        byte[] cleared = msg("42", 2, 1, "1.100", ",\"alarms\":[]");
        java.util.concurrent.CompletableFuture<Void> ack = p.onMessage("meters/42/up", cleared);
        assertThat(ack).as("not acknowledged").isCompletedExceptionally();
        assertThat(p.counters().effectsFailed.get()).isEqualTo(1);
        assertThat(readings).as("the reading went to the sink all the same").hasSize(2);
        storeDown[0] = false;
        assertThat(p.onMessage("meters/42/up", cleared)).as("the redelivery").isCompleted().isNotCompletedExceptionally();
        assertThat(alarms).extracting(a -> a.kind() + ":" + a.raised()).containsExactly("LEAK:true", "LEAK:false");
    }
}
