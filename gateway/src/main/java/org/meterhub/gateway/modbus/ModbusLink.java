package org.meterhub.gateway.modbus;

import java.util.Objects;
import org.meterhub.gateway.serial.SerialSettings;

/** How the gateway reaches a Modbus bus; in every case the gateway is the master and connects out. */
public sealed interface ModbusLink {

    /** A short label for logs and bus ids. */
    String label();

    /** Modbus TCP (MBAP header, port 502 by default). */
    record Tcp(String host, int port) implements ModbusLink {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }

        @Override
        public String label() {
            return "modbus-tcp://" + host + ":" + port;
        }
    }

    /** An RS-485-to-Ethernet converter in transparent mode: RTU frames (with CRC) over a TCP stream. */
    record RtuOverTcp(String host, int port) implements ModbusLink {
        public RtuOverTcp {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }

        @Override
        public String label() {
            return "modbus-rtu-tcp://" + host + ":" + port;
        }
    }

    /** Modbus RTU on a local RS-485 port. */
    record Serial(SerialSettings settings) implements ModbusLink {
        public Serial {
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public String label() {
            return "modbus-rtu:" + settings.port();
        }
    }
}
