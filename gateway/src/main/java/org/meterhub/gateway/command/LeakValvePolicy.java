package org.meterhub.gateway.command;

import org.meterhub.gateway.mqtt.AlarmEvent;
import org.meterhub.gateway.mqtt.AlarmKind;
import org.meterhub.gateway.mqtt.AlarmSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gas leak → close the valve (domain rules: alarm, emergency plan, close the valve). Wraps an
 * alarm sink: every event goes on unchanged; a raised leak also submits {@code valve_close} when
 * the policy is on. The command id is derived from the meter and the alarm time, so the same leak
 * seen twice (a redelivered uplink, or the engine's own leak decision for the same moment) is one
 * command. The command and its ack land in the command log like any other.
 */
public final class LeakValvePolicy implements AlarmSink {
    private static final Logger log = LoggerFactory.getLogger(LeakValvePolicy.class);

    private final AlarmSink next;
    private final CommandService commands;
    private final boolean closeOnLeak;

    public LeakValvePolicy(AlarmSink next, CommandService commands, boolean closeOnLeak) {
        this.next = next;
        this.commands = commands;
        this.closeOnLeak = closeOnLeak;
    }

    @Override
    public void accept(AlarmEvent e) {
        next.accept(e);
        if (closeOnLeak && e.raised() && e.kind() == AlarmKind.LEAK) onLeak(e.meterId(), e.time());
    }

    /** Also the entry point for a leak decided by the engine from consumption. */
    public CommandRecord onLeak(String meterId, java.time.Instant at) {
        String id = "leak-" + meterId + "-" + at.getEpochSecond();
        CommandRecord r = commands.submit(commands.command(id, meterId, CommandType.VALVE_CLOSE, null, null));
        log.warn("leak: valve_close {} ({}) (meter at DEBUG)", id, r.status());
        log.debug("leak on meter {}: valve_close {}", meterId, id);
        return r;
    }
}
