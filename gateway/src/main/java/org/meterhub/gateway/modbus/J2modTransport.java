package org.meterhub.gateway.modbus;

import com.ghgande.j2mod.modbus.ModbusException;
import com.ghgande.j2mod.modbus.ModbusSlaveException;
import com.ghgande.j2mod.modbus.io.ModbusSerialTransaction;
import com.ghgande.j2mod.modbus.io.ModbusTCPTransaction;
import com.ghgande.j2mod.modbus.io.ModbusTransaction;
import com.ghgande.j2mod.modbus.msg.ModbusRequest;
import com.ghgande.j2mod.modbus.msg.ModbusResponse;
import com.ghgande.j2mod.modbus.msg.ReadInputRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadInputRegistersResponse;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersResponse;
import com.ghgande.j2mod.modbus.net.SerialConnection;
import com.ghgande.j2mod.modbus.net.TCPMasterConnection;
import com.ghgande.j2mod.modbus.util.SerialParameters;
import com.fazecast.jSerialComm.SerialPort;
import java.net.InetAddress;
import java.time.Duration;
import org.meterhub.gateway.modbus.ModbusTransport.TransportException.Kind;
import org.meterhub.gateway.serial.SerialSettings;

/**
 * j2mod as a {@link ModbusTransport}: Modbus TCP, RTU over TCP and RTU on a serial port. j2mod's
 * own retries are off (the poll scheduler retries with backoff), and every reply is checked again
 * here (unit, function, register count) before a value can reach a meter.
 */
final class J2modTransport implements ModbusTransport {
    private final ModbusLink link;
    private final int timeoutMs;
    private TCPMasterConnection tcp;
    private SerialConnection serial;
    private ModbusTransaction transaction;

    J2modTransport(ModbusLink link, Duration timeout) {
        this.link = link;
        this.timeoutMs = (int) Math.max(1, timeout.toMillis());
    }

    private void connect() throws TransportException {
        if (transaction != null) return;
        try {
            if (link instanceof ModbusLink.Tcp t) {
                transaction = tcpTransaction(t.host(), t.port(), false);
            } else if (link instanceof ModbusLink.RtuOverTcp t) {
                transaction = tcpTransaction(t.host(), t.port(), true);
            } else {
                transaction = serialTransaction(((ModbusLink.Serial) link).settings());
            }
        } catch (TransportException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new TransportException(Kind.CONNECT, "cannot connect to " + link.label() + ": " + message(e));
        }
        transaction.setRetries(1); // j2mod counts the first attempt as a "retry": 1 means one attempt
        transaction.setCheckingValidity(true);
    }

    private ModbusTransaction tcpTransaction(String host, int port, boolean rtu) throws Exception {
        tcp = new TCPMasterConnection(InetAddress.getByName(host));
        tcp.setPort(port);
        tcp.setTimeout(timeoutMs);
        tcp.connect(rtu);
        ModbusTCPTransaction t = new ModbusTCPTransaction(tcp);
        t.setReconnecting(false);
        return t;
    }

    private ModbusTransaction serialTransaction(SerialSettings s) throws Exception {
        int parity = switch (s.parity()) {
            case NONE -> SerialPort.NO_PARITY;
            case EVEN -> SerialPort.EVEN_PARITY;
            case ODD -> SerialPort.ODD_PARITY;
        };
        SerialParameters p = new SerialParameters(s.port(), s.baud(), SerialPort.FLOW_CONTROL_DISABLED,
                SerialPort.FLOW_CONTROL_DISABLED, 8, SerialPort.ONE_STOP_BIT, parity, false);
        p.setEncoding("rtu");
        serial = new SerialConnection(p);
        serial.setTimeout(timeoutMs);
        serial.open();
        if (!serial.isOpen()) throw new TransportException(Kind.CONNECT, "cannot open serial port " + s.port());
        ModbusSerialTransaction t = new ModbusSerialTransaction(serial);
        // j2mod keeps the 3.5-character silence itself; a longer configured turnaround is added here
        long extra = s.interFrameDelay().minus(s.minimumSilence()).toMillis();
        t.setTransDelayMS((int) Math.max(0, extra));
        return t;
    }

    @Override
    public int[] readRegisters(int unit, int function, int address, int count) throws TransportException {
        connect();
        ModbusRequest request = function == 4 ? new ReadInputRegistersRequest(address, count)
                : new ReadMultipleRegistersRequest(address, count);
        request.setUnitID(unit);
        transaction.setRequest(request);
        try {
            transaction.execute();
        } catch (ModbusSlaveException e) {
            throw new TransportException(Kind.EXCEPTION_REPLY, "exception reply " + e.getType() + " ("
                    + ModbusSlaveException.getMessage(e.getType()) + ")");
        } catch (ModbusException | RuntimeException e) {
            // a TCP stream may hold the rest of a bad reply: start clean. A serial line resynchronises
            // on the next frame by itself, and reopening a port is slow (and ends a socat pty).
            cutOff();
            throw new TransportException(Kind.NO_VALID_REPLY, "no valid reply from unit " + unit + ": " + message(e));
        }
        ModbusResponse response = transaction.getResponse();
        return checked(response, unit, function, count);
    }

    private int[] checked(ModbusResponse response, int unit, int function, int count) throws TransportException {
        if (response == null) throw new TransportException(Kind.NO_VALID_REPLY, "no reply from unit " + unit);
        if (response.getUnitID() != unit) {
            cutOff();
            throw new TransportException(Kind.NO_VALID_REPLY, "reply from unit " + response.getUnitID() + ", expected " + unit);
        }
        if (response.getFunctionCode() != function) {
            cutOff();
            throw new TransportException(Kind.NO_VALID_REPLY, "reply with function " + response.getFunctionCode()
                    + ", expected " + function);
        }
        int[] words = new int[count];
        int got;
        if (response instanceof ReadMultipleRegistersResponse r) {
            got = r.getWordCount();
            if (got == count) for (int i = 0; i < count; i++) words[i] = r.getRegisterValue(i) & 0xFFFF;
        } else if (response instanceof ReadInputRegistersResponse r) {
            got = r.getWordCount();
            if (got == count) for (int i = 0; i < count; i++) words[i] = r.getRegisterValue(i) & 0xFFFF;
        } else {
            throw new TransportException(Kind.NO_VALID_REPLY, "unexpected reply " + response.getClass().getSimpleName());
        }
        if (got != count) {
            cutOff();
            throw new TransportException(Kind.NO_VALID_REPLY, "reply carries " + got + " registers, asked for " + count);
        }
        return words;
    }

    /** Drops a TCP connection after a bad reply; keeps a serial port open. */
    private void cutOff() {
        if (tcp != null) close();
    }

    @Override
    public void close() {
        transaction = null;
        if (tcp != null) {
            tcp.close();
            tcp = null;
        }
        if (serial != null) {
            serial.close();
            serial = null;
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
