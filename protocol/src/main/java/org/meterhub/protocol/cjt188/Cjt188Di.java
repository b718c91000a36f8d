package org.meterhub.protocol.cjt188;

/**
 * Data identifiers (DI) this package knows, written high byte first as in the standard's tables.
 *
 * <p>The set of known DIs is also how the byte order of a received DI is recognised: no known DI is the
 * byte-swap of another known DI, so {@code 1F 90} can only be 901F sent low byte first.
 */
public final class Cjt188Di {

    public static final int CURRENT_DATA = 0x901F;
    public static final int METER_TIME = 0x907F;
    public static final int PRICE_TABLE = 0x8102;
    public static final int SETTLEMENT_DAY = 0x8103;
    public static final int READING_DAY = 0x8104;
    public static final int PURCHASE_AMOUNT = 0x8105;
    public static final int METER_ADDRESS = 0x810A;
    /** Cumulative at the settlement day one month ago; D121 is two months ago, up to D12B. */
    public static final int HISTORY_FIRST = 0xD120;
    public static final int HISTORY_LAST = 0xD12B;
    public static final int WRITE_FIRST = 0xA010;
    public static final int WRITE_PURCHASE_AMOUNT = 0xA013;
    public static final int WRITE_VALVE = 0xA017;
    public static final int WRITE_ADDRESS = 0xA018;
    public static final int WRITE_LAST = 0xA019;

    private Cjt188Di() {
    }

    public static boolean isKnown(int di) {
        return di == CURRENT_DATA || di == METER_TIME || (di >= PRICE_TABLE && di <= PURCHASE_AMOUNT)
                || di == METER_ADDRESS || isHistory(di) || (di >= WRITE_FIRST && di <= WRITE_LAST);
    }

    public static boolean isHistory(int di) {
        return di >= HISTORY_FIRST && di <= HISTORY_LAST;
    }

    /** For the explainer. */
    public static String describe(int di) {
        if (isHistory(di)) {
            int months = di - HISTORY_FIRST + 1;
            return "cumulative at settlement day " + months + (months == 1 ? " month" : " months") + " ago";
        }
        return switch (di) {
            case CURRENT_DATA -> "current data";
            case METER_TIME -> "meter time";
            case PRICE_TABLE -> "price table";
            case SETTLEMENT_DAY -> "settlement day";
            case READING_DAY -> "reading day";
            case PURCHASE_AMOUNT -> "purchase amount";
            case METER_ADDRESS -> "meter address";
            case WRITE_PURCHASE_AMOUNT -> "write purchase amount";
            case WRITE_VALVE -> "valve control";
            case WRITE_ADDRESS -> "write address";
            default -> di >= WRITE_FIRST && di <= WRITE_LAST ? "write data" : "unknown DI";
        };
    }

    /**
     * The DI at {@code offset} and the order it was sent in. Known DIs are recognised in either order;
     * an unknown DI is read in {@code orderForUnknown}, since its bytes alone cannot tell.
     */
    static Read read(byte[] data, int offset, DiOrder orderForUnknown) {
        int highFirst = DiOrder.HIGH_FIRST.read(data, offset);
        if (isKnown(highFirst)) {
            return new Read(highFirst, DiOrder.HIGH_FIRST);
        }
        int lowFirst = DiOrder.LOW_FIRST.read(data, offset);
        if (isKnown(lowFirst)) {
            return new Read(lowFirst, DiOrder.LOW_FIRST);
        }
        return new Read(orderForUnknown.read(data, offset), orderForUnknown);
    }

    record Read(int di, DiOrder order) {
    }
}
