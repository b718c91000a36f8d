package org.meterhub.engine.reading;

/** Where a reading came from; part of its idempotency key. */
public enum ReadingSource {
    CJT188, MODBUS, MQTT, MANUAL, ESTIMATED
}
