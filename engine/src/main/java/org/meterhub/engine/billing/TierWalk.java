package org.meterhub.engine.billing;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a volume across tiers by the household's position in the tariff year. A positive
 * volume fills upwards from the position; a negative one (a credit) is taken back downwards
 * from it, so a credit is priced at the tiers the volume had been charged in. Below zero
 * counts as tier 1.
 */
public final class TierWalk {

    /** Litres in one tier; {@code fromL}..{@code toL} is the stretch of the year position it covers. */
    public record Piece(int tier, long volumeL, long fromL, long toL) {
    }

    private TierWalk() {
    }

    /**
     * @param bounds upper bounds per tier in litres; the last is {@link Tier#UNBOUNDED}
     * @param positionL tariff-year volume before this one
     * @param volumeL signed volume to add
     * @return the pieces in walking order (upwards for a charge, downwards for a credit); no zero pieces
     *         except a single tier piece for a zero volume
     */
    public static List<Piece> walk(long[] bounds, long positionL, long volumeL) {
        List<Piece> pieces = new ArrayList<>();
        if (volumeL == 0) {
            pieces.add(new Piece(tierAt(bounds, positionL), 0, positionL, positionL));
            return pieces;
        }
        long lo = Math.min(positionL, positionL + volumeL);
        long hi = Math.max(positionL, positionL + volumeL);
        for (int k = 0; k < bounds.length; k++) {
            long tierLo = k == 0 ? Long.MIN_VALUE : bounds[k - 1];
            long tierHi = bounds[k];
            long from = Math.max(lo, tierLo);
            long to = Math.min(hi, tierHi);
            if (to > from) {
                if (volumeL > 0) pieces.add(new Piece(k + 1, to - from, from, to));
                else pieces.add(0, new Piece(k + 1, -(to - from), to, from));
            }
        }
        return pieces;
    }

    /** The tier (1-based) that the next litre after the position falls in. */
    public static int tierAt(long[] bounds, long positionL) {
        for (int k = 0; k < bounds.length; k++) {
            if (positionL < bounds[k]) return k + 1;
        }
        return bounds.length;
    }
}
