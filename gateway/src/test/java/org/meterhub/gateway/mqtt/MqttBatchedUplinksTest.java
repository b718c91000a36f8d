package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.intake.BatchEntry;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/**
 * Batched and delayed uplinks (protocols.md §3): {@code history} entries become readings at their own
 * times, bad entries are refused one by one, and the journal's record of meter + seq makes a
 * redelivery after a restart a duplicate and the same seq with other content a kept conflict.
 */
class MqttBatchedUplinksTest {
    private static final String METER = "31000000000042";
    /** The day's upload: 00:05 on the day after the readings. */
    private static final Instant NOW = Instant.parse("2026-11-24T00:05:00Z");
    private static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");

    private static String entry(Instant ts, long litres) {
        return "{\"ts\":\"" + ts + "\",\"volume_m3\":\"" + m3(litres) + "\"}";
    }

    private static String m3(long litres) {
        return litres / 1000 + "." + String.format("%03d", litres % 1000);
    }

    /** 24 hourly readings of DAY (in reverse order, as some meters send them) and the register at {@code ts}. */
    private static byte[] daily(long seq, Instant ts, Instant firstHour, long startL, String extraEntries) {
        StringBuilder h = new StringBuilder();
        for (int i = 23; i >= 0; i--) {
            if (h.length() > 0) h.append(',');
            h.append(entry(firstHour.plusSeconds(3600L * i), startL + i * 10L));
        }
        h.append(extraEntries);
        return ("{\"meter\":\"" + METER + "\",\"seq\":" + seq + ",\"ts\":\"" + ts + "\",\"volume_m3\":\"" + m3(startL + 240)
                + "\",\"history\":[" + h + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String topic() {
        return "meters/" + METER + "/up";
    }

    private static UplinkProcessor processor(Journal journal, Clock clock, MqttCounters counters) {
        return new UplinkProcessor(UplinkSettings.defaults().withReorderWindow(Duration.ZERO), b -> { }, a -> { }, clock,
                counters, DurableReadingSink.of(journal));
    }

    private static Journal open(Path dir) {
        return Journal.open(JournalSettings.defaults(dir.resolve("j.db")).withPartitions(2), JournalListener.NONE);
    }

    @Test
    void aDaysHistoryBecomesReadingsAtTheirOwnTimesInTimeOrder(@TempDir Path dir) throws Exception {
        MqttCounters counters = new MqttCounters();
        try (Journal journal = open(dir)) {
            UplinkProcessor p = processor(journal, Clock.fixed(NOW, ZoneOffset.UTC), counters);
            p.onMessage(topic(), daily(7, NOW, DAY, 100_000, "")).get(5, TimeUnit.MINUTES);
            List<Reading> rs = journal.all().stream().map(BatchEntry::reading).toList();
            assertThat(rs).hasSize(25);
            for (int i = 0; i < 24; i++) {
                assertThat(rs.get(i).time()).as("hour %d at its own time, in time order", i).isEqualTo(DAY.plusSeconds(3600L * i));
                assertThat(rs.get(i).volumeL()).isEqualTo(100_000 + i * 10L);
                assertThat(rs.get(i).flags()).doesNotContain(ReadingFlag.CLOCK_SKEW);
            }
            assertThat(rs.get(24).time()).isEqualTo(NOW);
            assertThat(counters.readings.get()).isEqualTo(25);
            assertThat(counters.historyReadings.get()).isEqualTo(24);
        }
    }

    @Test
    void aBadHistoryEntryIsRefusedAloneWithItsReasonAndTheRestIsKept(@TempDir Path dir) throws Exception {
        MqttCounters counters = new MqttCounters();
        String bad = ",{\"ts\":\"2026-11-23T05:30:00Z\",\"volume_m3\":1.5}"     // wrong type
                + ",{\"volume_m3\":\"1.000\"}"                                      // no ts
                + ",{\"ts\":\"2026-11-23T05:40:00Z\",\"volume_m3\":\"1.0001\"}"    // 4 decimals
                + ",{\"ts\":\"2026-11-23T05:50:00Z\",\"volume_m3\":{\"x\":[1]},\"more\":1}" // an object, then more fields
                + ",{\"ts\":\"2026-11-01T00:00:00Z\",\"volume_m3\":\"90.000\"}"    // beyond max-backfill
                + ",{\"ts\":\"2026-11-25T00:00:00Z\",\"volume_m3\":\"200.000\"}"   // after the message's own ts
                + ",7";                                                              // not an object
        try (Journal journal = open(dir)) {
            UplinkProcessor p = processor(journal, Clock.fixed(NOW, ZoneOffset.UTC), counters);
            p.onMessage(topic(), daily(7, NOW, DAY, 100_000, bad)).get(5, TimeUnit.MINUTES);
            assertThat(journal.all()).hasSize(25);
            assertThat(counters.rejectedTotal()).as("the message itself is not rejected").isZero();
            assertThat(counters.rejectedEntries(RejectReason.WRONG_TYPE)).isEqualTo(3);
            assertThat(counters.rejectedEntries(RejectReason.MISSING_TS)).isEqualTo(1);
            assertThat(counters.rejectedEntries(RejectReason.BAD_VALUE)).isEqualTo(2);
            assertThat(counters.rejectedEntries(RejectReason.TOO_OLD)).isEqualTo(1);
        }
    }

    @Test
    void historyIsBoundedAndMustBeAnArray() throws Exception {
        UplinkParser parser = new UplinkParser(UplinkSettings.defaults());
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < 100; i++) h.append(i == 0 ? "" : ",").append(entry(DAY.plusSeconds(60L * i), 1000 + i));
        Uplink u = parser.parse(("{\"meter\":\"" + METER + "\",\"ts\":\"" + NOW + "\",\"volume_m3\":\"2.000\",\"history\":["
                + h + "]}").getBytes(StandardCharsets.UTF_8));
        assertThat(u.history()).hasSize(UplinkParser.MAX_HISTORY);
        assertThat(u.badHistory()).hasSize(4).allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectReason.ABSURD_VALUE));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parser.parse(("{\"meter\":\"" + METER + "\",\"ts\":\"" + NOW
                        + "\",\"volume_m3\":\"2.000\",\"history\":{}}").getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(((UplinkRejected) e).reason()).isEqualTo(RejectReason.WRONG_TYPE));
    }

    @Test
    void aRedeliveryAfterARestartIsADuplicateEvenWhenTheMetersClockIsWrong(@TempDir Path dir) throws Exception {
        // The meter's clock is 40 days behind: its readings take the receive time, the history keeps its spacing.
        Instant wrong = NOW.minus(Duration.ofDays(40));
        byte[] msg = daily(9, wrong, wrong.minusSeconds(24 * 3600), 100_000, "");
        MqttCounters first = new MqttCounters();
        try (Journal journal = open(dir)) {
            processor(journal, Clock.fixed(NOW, ZoneOffset.UTC), first).onMessage(topic(), msg).get(5, TimeUnit.MINUTES);
            List<Reading> rs = journal.all().stream().map(BatchEntry::reading).toList();
            assertThat(rs).hasSize(25).allSatisfy(r -> assertThat(r.flags()).contains(ReadingFlag.CLOCK_SKEW));
            assertThat(rs.get(24).time()).isEqualTo(NOW);
            assertThat(rs.get(0).time()).isEqualTo(NOW.minusSeconds(24 * 3600));
            assertThat(rs.get(0).meterTime()).isEqualTo(wrong.minusSeconds(24 * 3600));
        }
        // kill -9 before the PUBACK: the broker delivers it again, later, to a new gateway process.
        MqttCounters second = new MqttCounters();
        try (Journal journal = open(dir)) {
            Clock later = Clock.fixed(NOW.plusSeconds(95), ZoneOffset.UTC);
            processor(journal, later, second).onMessage(topic(), msg).get(5, TimeUnit.MINUTES);
            assertThat(journal.all()).as("another receive time, yet nothing doubled").hasSize(25);
            assertThat(second.duplicates.get()).isEqualTo(1);
            assertThat(second.readings.get()).isZero();
            assertThat(journal.stats().uplinkDuplicates()).isEqualTo(1);
        }
    }

    @Test
    void theSameSeqWithOtherContentIsAKeptConflictBeforeAndAfterARestart(@TempDir Path dir) throws Exception {
        byte[] original = daily(11, NOW, DAY, 100_000, "");
        byte[] other = daily(11, NOW, DAY, 100_500, "");
        MqttCounters counters = new MqttCounters();
        try (Journal journal = open(dir)) {
            UplinkProcessor p = processor(journal, Clock.fixed(NOW, ZoneOffset.UTC), counters);
            p.onMessage(topic(), original).get(5, TimeUnit.MINUTES);
            p.onMessage(topic(), other).get(5, TimeUnit.MINUTES); // seen in memory
            assertThat(counters.seqConflicts.get()).isEqualTo(1);
            assertThat(counters.duplicates.get()).isZero();
        }
        MqttCounters after = new MqttCounters();
        try (Journal journal = open(dir)) {
            processor(journal, Clock.fixed(NOW, ZoneOffset.UTC), after).onMessage(topic(), other).get(5, TimeUnit.MINUTES);
            assertThat(after.seqConflicts.get()).as("recognised from the journal after the restart").isEqualTo(1);
            assertThat(journal.all()).as("only the first content became readings").hasSize(25)
                    .allSatisfy(e -> assertThat(e.reading().volumeL()).isLessThan(100_500 + 240));
            assertThat(journal.uplinkConflicts()).hasSize(2).allSatisfy(c -> {
                assertThat(c.meterId()).isEqualTo(METER);
                assertThat(c.seq()).isEqualTo(11);
                assertThat(c.payload()).isEqualTo(new String(other, StandardCharsets.UTF_8));
            });
            assertThat(journal.stats().uplinkConflicts()).isEqualTo(1);
        }
    }

    @Test
    void theJournalRemembersAWindowOfSeqsPerMeter(@TempDir Path dir) throws Exception {
        MqttCounters counters = new MqttCounters();
        try (Journal journal = open(dir)) {
            UplinkProcessor p = processor(journal, Clock.fixed(NOW, ZoneOffset.UTC), counters);
            for (int s = 0; s < 200; s++) {
                p.onMessage(topic(), ("{\"meter\":\"" + METER + "\",\"seq\":" + s + ",\"ts\":\"" + NOW.minusSeconds(200 - s)
                        + "\",\"volume_m3\":\"" + m3(1000 + s) + "\"}").getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.MINUTES);
            }
            assertThat(counters.journaled.get()).isEqualTo(200);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*), min(seq), max(seq) from uplink_seen")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(64);
            assertThat(rs.getLong(2)).isEqualTo(136);
            assertThat(rs.getLong(3)).isEqualTo(199);
        }
    }
}
