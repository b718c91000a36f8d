package org.meterhub.engine.leak;

import java.util.concurrent.CompletionStage;

/**
 * Closes a meter's valve. Implemented by the gateway's command path (MQTT / IC-card meters);
 * the engine depends only on this interface. The stage completes with the meter's answer, or
 * exceptionally when the command could not be delivered.
 */
@FunctionalInterface
public interface ValveCommander {
    CompletionStage<ValveOutcome> close(String meterId, String reason);

    /** What the meter reported back. */
    enum ValveOutcome { CLOSED, ALREADY_CLOSED, FAILED, NO_ANSWER }
}
