package org.meterhub.protocol.cjt188;

/**
 * C=0x84: the meter confirms a write. Valve-control replies carry two status bytes ST0 ST1 after SER
 * ({@code status} = ST0 | ST1 &lt;&lt; 8); most other write replies carry none, which is
 * {@link #NO_STATUS}.
 */
public record WriteDataReply(int meterTypeCode, MeterAddress address, int di, int ser, DiOrder diOrder, int status)
        implements Cjt188Message {

    public static final int CONTROL = 0x84;
    /** The reply had no status bytes (L=3). */
    public static final int NO_STATUS = -1;

    public WriteDataReply {
        Checks.header(meterTypeCode, address);
        Checks.u16(di, "di");
        Checks.u8(ser, "ser");
        Checks.nonNull(diOrder, "diOrder");
        if (status != NO_STATUS) {
            Checks.u16(status, "status");
        }
    }

    public boolean hasStatus() {
        return status != NO_STATUS;
    }

    @Override
    public String toString() {
        return MessageText.of(this);
    }
}
