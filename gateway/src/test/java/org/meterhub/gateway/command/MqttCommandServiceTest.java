package org.meterhub.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.gateway.mqtt.AlarmEvent;
import org.meterhub.gateway.mqtt.AlarmKind;
import org.meterhub.gateway.mqtt.MqttSendException;
import org.meterhub.simulators.clock.HandClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command lifecycle against a real SQLite command store, with a recording publisher. */
class MqttCommandServiceTest {
    @TempDir
    Path dir;
    private final HandClock clock = new HandClock(Instant.parse("2026-11-24T02:00:00Z"));
    private final List<String> sent = new ArrayList<>();
    private final List<AlarmEvent> alarms = new ArrayList<>();
    private final List<CommandStore> stores = new ArrayList<>();
    private boolean brokerDown;

    private CommandService service() {
        CommandStore store = new CommandStore(dir.resolve("commands.db"));
        stores.add(store);
        CommandSettings s = CommandSettings.defaults().withTiming(Duration.ofSeconds(10), Duration.ofSeconds(40),
                Duration.ofMinutes(5), Duration.ofSeconds(1));
        return new CommandService(store, (topic, payload) -> {
            if (brokerDown) throw new MqttSendException("not connected", null);
            sent.add(topic + " " + new String(payload, StandardCharsets.UTF_8));
        }, alarms::add, s, clock);
    }

    @AfterEach
    void close() {
        stores.forEach(CommandStore::close);
    }

    private static byte[] ack(String id, boolean ok) {
        return ("{\"id\":\"" + id + "\",\"ok\":" + ok + (ok ? "" : ",\"error\":\"valve stuck\"") + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCommandIsStoredThenPublishedExactlyAsTheContractSays() {
        CommandService svc = service();
        CommandRecord r = svc.submit(svc.command("c-1", "30001234567890", CommandType.CREDIT, new BigDecimal("20"), BalanceUnit.M3));
        assertThat(sent).containsExactly("meters/30001234567890/down {\"id\":\"c-1\",\"cmd\":\"credit\",\"amount_m3\":\"20.000\"}");
        assertThat(r.status()).isEqualTo(CommandStatus.SENT);
        assertThat(r.attempts()).isEqualTo(1);
    }

    @Test
    void theSameIdTwiceHasOneEffectAndADifferentCommandUnderItIsRefused() {
        CommandService svc = service();
        svc.submit(svc.command("c-2", "7", CommandType.VALVE_CLOSE, null, null));
        svc.submit(svc.command("c-2", "7", CommandType.VALVE_CLOSE, null, null));
        assertThat(sent).hasSize(1);
        assertThat(svc.stats().resubmittedSameId.get()).isEqualTo(1);
        assertThatThrownBy(() -> svc.submit(svc.command("c-2", "7", CommandType.VALVE_OPEN, null, null)))
                .hasMessageContaining("already used");
    }

    @Test
    void unackedCommandsAreResentWithDoublingIntervalsThenExpireWithAnAlarm() {
        CommandService svc = service();
        svc.submit(svc.command("c-3", "7", CommandType.VALVE_CLOSE, null, null));
        clock.advance(Duration.ofSeconds(9));
        svc.tick();
        assertThat(sent).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        svc.tick();
        assertThat(sent).hasSize(2); // resent after 10 s
        clock.advance(Duration.ofSeconds(19));
        svc.tick();
        assertThat(sent).hasSize(2); // next one waits 20 s
        clock.advance(Duration.ofSeconds(1));
        svc.tick();
        assertThat(sent).hasSize(3);
        clock.advance(Duration.ofMinutes(5));
        svc.tick();
        assertThat(svc.list("7", 10)).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(CommandStatus.EXPIRED));
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(AlarmKind.COMMAND_EXPIRED);
            assertThat(a.meterId()).isEqualTo("7");
        });
        svc.onMessage("meters/7/ack", ack("c-3", true));
        assertThat(svc.stats().repeatedAcks.get()).isEqualTo(1);
    }

    @Test
    void acksCloseCommandsOnceAndRejectionsRaiseAnAlarm() {
        CommandService svc = service();
        svc.submit(svc.command("ok-1", "7", CommandType.VALVE_OPEN, null, null));
        svc.submit(svc.command("no-1", "7", CommandType.VALVE_CLOSE, null, null));
        svc.onMessage("meters/8/ack", ack("ok-1", true));      // wrong meter
        svc.onMessage("meters/7/ack", "{\"id\":5}".getBytes(StandardCharsets.UTF_8));
        svc.onMessage("meters/7/ack", ack("ok-1", true));
        svc.onMessage("meters/7/ack", ack("ok-1", true));
        svc.onMessage("meters/7/ack", ack("no-1", false));
        assertThat(svc.stats().unknownAcks.get()).isEqualTo(1);
        assertThat(svc.stats().badAcks.get()).isEqualTo(1);
        assertThat(svc.stats().repeatedAcks.get()).isEqualTo(1);
        assertThat(svc.list(null, 10)).extracting(r -> r.command().id() + ":" + r.status() + ":" + r.error())
                .containsExactlyInAnyOrder("ok-1:ACKED:null", "no-1:REJECTED:valve stuck");
        assertThat(alarms).singleElement().satisfies(a -> assertThat(a.kind()).isEqualTo(AlarmKind.COMMAND_REJECTED));
        assertThat(svc.stats().roundTripMicros.getIntervalHistogram().getTotalCount()).isEqualTo(2);
    }

    @Test
    void aLaterSuccessfulAckClearsTheMetersCommandAlarms() {
        CommandService svc = service();
        svc.submit(svc.command("no-2", "9", CommandType.VALVE_CLOSE, null, null));
        svc.onMessage("meters/9/ack", ack("no-2", false));
        svc.submit(svc.command("ok-2", "9", CommandType.VALVE_OPEN, null, null));
        svc.onMessage("meters/9/ack", ack("ok-2", true));
        assertThat(alarms).extracting(a -> a.kind() + ":" + a.raised())
                .containsExactly("COMMAND_REJECTED:true", "COMMAND_EXPIRED:false", "COMMAND_REJECTED:false");
        svc.submit(svc.command("ok-3", "9", CommandType.VALVE_OPEN, null, null));
        svc.onMessage("meters/9/ack", ack("ok-3", true));
        assertThat(alarms).as("nothing more to clear").hasSize(3);
    }

    @Test
    void aCommandStoredWhileTheBrokerIsDownIsSentByALaterRunFromTheStore() {
        brokerDown = true;
        CommandService first = service();
        first.submit(first.command("c-4", "7", CommandType.VALVE_CLOSE, null, null));
        assertThat(sent).isEmpty();
        stores.get(0).close();
        stores.clear();
        brokerDown = false;
        CommandService second = service();
        // The failed attempt counts as a send (it was marked before publishing), so the resend interval applies.
        clock.advance(Duration.ofSeconds(10));
        second.tick();
        assertThat(sent).singleElement().asString().contains("\"id\":\"c-4\"");
        assertThat(second.list("7", 5).get(0).attempts()).isEqualTo(2);
    }
}
