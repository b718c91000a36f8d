package org.meterhub.simulators.modbus;

import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.protocol.modbus.ModbusRtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.serial.SimSerialPort;

/**
 * Simulated converters on an RS-485 line (a pseudo-terminal path): Modbus RTU with the wire time a
 * real line at the given baud rate would take, faults per device and line noise.
 */
public final class ModbusRtuSerialSlave implements AutoCloseable {
    private final ModbusResponder responder;
    private final WireModel wire;
    private final RtuRequestFramer framer = new RtuRequestFramer();
    private final SimSerialPort port;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();

    public ModbusRtuSerialSlave(String path, int baud, char parity, ModbusResponder responder, WireModel wire, long seed) {
        this.responder = responder;
        this.wire = wire;
        this.port = SimSerialPort.open(path, baud, parity, this::onBytes, seed);
    }

    private void onBytes(byte[] bytes) {
        for (ModbusRtu.ReadRequest r : framer.feed(bytes)) {
            requests.incrementAndGet();
            ModbusResponder.Reply reply = responder.answer(r);
            if (reply == null) continue;
            byte[] out = new byte[reply.garbage().length + reply.frame().length];
            System.arraycopy(reply.garbage(), 0, out, 0, reply.garbage().length);
            System.arraycopy(reply.frame(), 0, out, reply.garbage().length, reply.frame().length);
            replies.incrementAndGet();
            port.send(out, wire.exchangeMicros(8, out.length) + reply.extraDelayMicros());
        }
    }

    public SimSerialPort port() {
        return port;
    }

    public long requests() {
        return requests.get();
    }

    public long replies() {
        return replies.get();
    }

    public long droppedBytes() {
        return framer.droppedBytes();
    }

    @Override
    public void close() {
        port.close();
    }
}
