package org.meterhub.simulators.mqtt;

/** Ways a simulated IC-card meter misbehaves, injected to exercise the gateway. */
public enum MqttFault {
    /** Every third message is published twice (a meter retry after a lost PUBACK). */
    DUPLICATE,
    /** Every fourth message is held back and published after the next one. */
    REORDER,
    /** Every fifth message is garbled JSON; its seq is used up, so the gateway also sees a gap. */
    MALFORMED,
    /** The meter clock runs two hours fast. */
    CLOCK_SKEW,
    /** The register stops counting while gas still flows and credit is still deducted. */
    STUCK_REGISTER,
    /** The meter never publishes and ignores commands (a dead modem). */
    SILENT,
    /** The valve cannot close: zero credit does not stop the gas, so the meter overdraws. */
    VALVE_FAULT,
    /** The connected gas detector reports a leak. */
    LEAK
}
