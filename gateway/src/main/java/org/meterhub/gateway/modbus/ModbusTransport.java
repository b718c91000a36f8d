package org.meterhub.gateway.modbus;

/**
 * One blocking register read at a time over one link. The only place j2mod appears; nothing of it
 * leaks past this interface.
 */
interface ModbusTransport extends AutoCloseable {

    /**
     * @return exactly {@code count} registers, each 0..65535
     * @throws TransportException on no reply, a bad reply or a lost connection
     */
    int[] readRegisters(int unit, int function, int address, int count) throws TransportException;

    @Override
    void close();

    /** Why a transaction failed, in the gateway's terms. */
    final class TransportException extends Exception {
        private static final long serialVersionUID = 1L;

        enum Kind {
            /** No connection could be made. */
            CONNECT,
            /** The slave answered with a Modbus exception code. */
            EXCEPTION_REPLY,
            /** No reply, a reply that failed its checks (CRC, unit, function, length), or a broken stream. */
            NO_VALID_REPLY
        }

        private final Kind kind;

        TransportException(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        Kind kind() {
            return kind;
        }
    }
}
