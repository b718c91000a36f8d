package org.meterhub.gateway.modbus;

import java.util.Map;
import org.meterhub.engine.reading.Reading;
import org.meterhub.protocol.modbus.FieldValue;

/** One successful read: the reading handed to the engine, and every decoded register for display. */
public record ModbusReadout(Reading reading, Map<String, FieldValue> values) {
    public ModbusReadout {
        values = Map.copyOf(values);
    }
}
