package org.meterhub.protocol.cjt188;

/**
 * The meaning of one frame. Each record carries everything needed to encode it again byte for byte
 * (including the DI byte order it was received in), so a simulator can answer in the order it was asked.
 * Encode and decode with {@link Cjt188Messages}.
 */
public sealed interface Cjt188Message
        permits ReadDataRequest, ReadAddressRequest, ReadAddressReply, WriteValveRequest, WriteDataReply,
                GasWaterCurrentData, HeatCurrentData, MonthlyHistory, MeterTimeReply, PurchaseAmount,
                ErrorReply, UnknownData {

    /** The T byte as sent; see {@link MeterType#of(int)}. */
    int meterTypeCode();

    MeterAddress address();
}
