package org.meterhub.simulators.modbus;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.meterhub.protocol.modbus.ModbusRtu;

/**
 * The slave side of a Modbus bus of simulated converters: an RTU request in, the RTU reply bytes
 * out (with the faults the addressed device shows), or nothing. Shared by the RTU, RTU-over-TCP
 * and TCP slaves.
 */
public final class ModbusResponder {
    /** @param frame RTU reply including CRC; @param garbage noise sent first; @param extraDelayMicros late-reply delay */
    public record Reply(byte[] frame, byte[] garbage, long extraDelayMicros) {
    }

    private final Map<Integer, SimulatedEvc> devices = new TreeMap<>();
    private final Random random;
    private final long lateMicros;

    public ModbusResponder(Iterable<SimulatedEvc> evcs, long lateMicros, long seed) {
        for (SimulatedEvc e : evcs) devices.put(e.unit(), e);
        this.random = new Random(seed);
        this.lateMicros = lateMicros;
    }

    public Map<Integer, SimulatedEvc> devices() {
        return Map.copyOf(devices);
    }

    /** Null when no device answers (other unit, broadcast, silence). */
    public synchronized Reply answer(ModbusRtu.ReadRequest r) {
        SimulatedEvc evc = devices.get(r.unit());
        if (evc == null || evc.shows(ModbusFault.SILENT)) return null;
        byte[] frame;
        if (evc.shows(ModbusFault.EXCEPTION_REPLY)) {
            frame = ModbusRtu.exceptionResponse(r.unit(), r.function(), 4);
        } else {
            int[] words = evc.registers(r.function(), r.address(), r.count());
            frame = words == null ? ModbusRtu.exceptionResponse(r.unit(), r.function(), ModbusRtu.ILLEGAL_DATA_ADDRESS)
                    : ModbusRtu.readResponse(evc.shows(ModbusFault.WRONG_UNIT) ? r.unit() % 247 + 1 : r.unit(), r.function(), words);
        }
        if (evc.shows(ModbusFault.CORRUPT_BYTE)) frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
        byte[] garbage = new byte[0];
        if (evc.shows(ModbusFault.GARBAGE_BEFORE)) {
            garbage = new byte[1 + random.nextInt(8)];
            random.nextBytes(garbage);
        }
        return new Reply(frame, garbage, evc.shows(ModbusFault.LATE_REPLY) ? lateMicros : 0);
    }
}
