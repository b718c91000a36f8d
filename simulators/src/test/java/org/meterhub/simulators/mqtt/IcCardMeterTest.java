package org.meterhub.simulators.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.meterhub.simulators.usage.UsageProfile;
import org.junit.jupiter.api.Test;

class IcCardMeterTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant T0 = Instant.parse("2026-11-23T16:00:00Z"); // midnight local

    private static IcCardMeter meter(long balanceL, Set<MqttFault> faults) {
        return new IcCardMeter("31000000000001", 1000, balanceL, new UsageProfile(1200, false), faults, ZONE, T0, 5000,
                new BigDecimal("3.55"));
    }

    private static byte[] cmd(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDayOfUseFollowsTheProfileToTheLitre() {
        IcCardMeter m = meter(100_000, Set.of());
        m.advanceTo(T0.plus(Duration.ofDays(1)));
        // 1200 L/day, hour weights sum to the day: rounding per hour loses under a litre per hour at most
        assertThat(m.deliveredL()).isBetween(1176L, 1200L);
        assertThat(m.registerL()).isEqualTo(1000 + m.deliveredL());
        // both are whole litres of the same millilitre counts, so they add up to the start within one litre
        assertThat(m.balanceL() + m.deliveredL()).isBetween(99_999L, 100_000L);
    }

    @Test
    void aClosedValveStopsTheGasAndCreditReopensAnEmptyMeter() {
        IcCardMeter m = meter(100_000, Set.of());
        assertThat(m.onCommand(cmd("{\"id\":\"a\",\"cmd\":\"valve_close\"}"))).isEqualTo("{\"id\":\"a\",\"ok\":true}");
        m.advanceTo(T0.plus(Duration.ofDays(1)));
        assertThat(m.deliveredL()).isZero();

        IcCardMeter empty = meter(10, Set.of());
        empty.advanceTo(T0.plus(Duration.ofDays(1)));
        assertThat(empty.valveOpen()).isFalse();
        assertThat(empty.balanceL()).isZero();
        assertThat(empty.deliveredL()).isEqualTo(10);
        assertThat(empty.onCommand(cmd("{\"id\":\"v\",\"cmd\":\"valve_open\"}"))).contains("\"ok\":false").contains("no credit");
        assertThat(empty.onCommand(cmd("{\"id\":\"c\",\"cmd\":\"credit\",\"amount_m3\":\"20.000\"}"))).contains("\"ok\":true");
        assertThat(empty.balanceL()).isEqualTo(20_000);
        assertThat(empty.valveOpen()).isTrue();
    }

    @Test
    void theSameCommandIdTwiceHasOneEffectAndTheSameAck() {
        IcCardMeter m = meter(0, Set.of());
        String first = m.onCommand(cmd("{\"id\":\"c1\",\"cmd\":\"credit\",\"amount_m3\":\"1.500\"}"));
        String second = m.onCommand(cmd("{\"id\":\"c1\",\"cmd\":\"credit\",\"amount_m3\":\"1.500\"}"));
        assertThat(second).isEqualTo(first);
        assertThat(m.balanceL()).isEqualTo(1500);
    }

    @Test
    void aFaultyValveOverdrawsAndSaysSo() {
        IcCardMeter m = meter(10, Set.of(MqttFault.VALVE_FAULT));
        m.advanceTo(T0.plus(Duration.ofDays(1)));
        assertThat(m.balanceL()).isNegative();
        String json = new String(m.report(T0.plus(Duration.ofDays(1))).get(0), StandardCharsets.UTF_8);
        assertThat(json).contains("\"overdraft\"").contains("\"valve_fault\"").contains("\"valve\":\"open\"");
        assertThat(m.onCommand(cmd("{\"id\":\"x\",\"cmd\":\"valve_close\"}"))).contains("\"ok\":false");
    }

    @Test
    void injectedFaultsShapeTheMessageStream() {
        Instant t = T0;
        IcCardMeter dup = meter(100_000, Set.of(MqttFault.DUPLICATE));
        IcCardMeter reorder = meter(100_000, Set.of(MqttFault.REORDER));
        IcCardMeter silent = meter(100_000, Set.of(MqttFault.SILENT));
        IcCardMeter stuck = meter(100_000, Set.of(MqttFault.STUCK_REGISTER));
        int dupCount = 0;
        StringBuilder order = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            t = t.plus(Duration.ofHours(1));
            dupCount += dup.report(t).size();
            for (byte[] p : reorder.report(t)) order.append(seqOf(p)).append(' ');
            assertThat(silent.report(t)).isEmpty();
            stuck.report(t);
        }
        assertThat(dupCount).isEqualTo(8 + 2); // seq 3 and 6 twice
        assertThat(order.toString().trim()).isEqualTo("1 2 3 5 4 6 7"); // 8 is held back until the next report
        assertThat(stuck.registerL()).isEqualTo(1000);
        assertThat(stuck.deliveredL()).isPositive();
        IcCardMeter skew = meter(100_000, Set.of(MqttFault.CLOCK_SKEW));
        assertThat(new String(skew.report(T0).get(0), StandardCharsets.UTF_8)).contains("\"ts\":\"2026-11-24T02:00:00+08:00\"");
        IcCardMeter bad = meter(100_000, Set.of(MqttFault.MALFORMED));
        List<String> all = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) all.add(new String(bad.report(T0).get(0), StandardCharsets.UTF_8));
        assertThat(all.get(4)).doesNotEndWith("}");
    }

    private static String seqOf(byte[] p) {
        String s = new String(p, StandardCharsets.UTF_8);
        int i = s.indexOf("\"seq\":") + 6;
        return s.substring(i, s.indexOf(',', i));
    }
}
