package org.meterhub.engine.gateways;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * The one query behind the console's Gateways page and {@code GET /api/v1/gateways} (and {@code .../buses}): every
 * gateway as it last reported itself ({@link JdbcGatewayStatus}), whether it still reports, and each of its buses
 * judged {@link State#OK}, {@link State#DEGRADED} or {@link State#DOWN} by the {@link Settings} thresholds.
 *
 * <p>A bus is <b>down</b> when it is not connected (a DTU that has not dialled in, a serial port that is closed, a
 * Modbus TCP peer whose last connect failed, the broker of the MQTT uplink unreachable), or when at least
 * {@code down-percent} of its polls in the gateway's window failed (by default 100 %: polls were made and none gave a
 * reading). It is <b>degraded</b> when at least {@code degraded-percent} of them failed (default 20 %), and OK
 * otherwise, including a connected bus with no poll in the window (nothing to judge; its last success is shown).
 */
public final class GatewayHealth {
    /** A gateway that has not reported for this long (six of its 10 s reports) is shown as not reporting. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(1);

    public enum State { OK, DEGRADED, DOWN }

    /**
     * When a bus counts as degraded or down (YAML {@code console: bus-health:}, docs/console.md).
     *
     * @param degradedPercent failed polls in the window, as a share of all its polls, from which a bus is degraded
     * @param downPercent     the same share from which it is down (100: no poll gave a reading)
     */
    public record Settings(int degradedPercent, int downPercent) {
        /**
         * 20 %: with retries behind every failed poll, one poll in five still failing is more than a meter or two
         * that are dead (a bus of ten meters with one dead shows 10 %): the line, the DTU's signal or its power.
         */
        public static final int DEFAULT_DEGRADED_PERCENT = 20;
        /** 100 %: polls were made and not one gave a reading in the window. */
        public static final int DEFAULT_DOWN_PERCENT = 100;

        public Settings {
            if (degradedPercent < 1 || degradedPercent > 100) {
                throw new IllegalArgumentException("degraded-percent: expected 1 to 100, got " + degradedPercent);
            }
            if (downPercent < degradedPercent || downPercent > 100) {
                throw new IllegalArgumentException("down-percent: expected degraded-percent (" + degradedPercent
                        + ") to 100, got " + downPercent);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_DEGRADED_PERCENT, DEFAULT_DOWN_PERCENT);
        }
    }

    /** A bus with its judgement: the state, in words why, and its failed share in the window (null: no polls). */
    public record Bus(BusStatus status, State state, String why, BigDecimal failedPercent) {
    }

    /** A gateway's last report, whether it is still reporting, and its buses judged. */
    public record Gateway(GatewayStatus status, boolean reporting, List<Bus> buses) {
    }

    private final SqlDatabase db;
    private final Settings settings;

    public GatewayHealth(SqlDatabase db, Settings settings) {
        this.db = Objects.requireNonNull(db, "db");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /** Every gateway by id, judged at {@code now}. */
    public List<Gateway> all(Instant now) {
        List<Gateway> out = new ArrayList<>();
        for (GatewayStatus s : new JdbcGatewayStatus(db).all()) {
            List<Bus> buses = new ArrayList<>();
            for (BusStatus b : s.buses()) buses.add(judge(b, settings));
            out.add(new Gateway(s, !s.reportedAt().isBefore(now.minus(STALE_AFTER)), buses));
        }
        return out;
    }

    /** One bus's state by the thresholds. */
    public static Bus judge(BusStatus b, Settings s) {
        long total = b.pollsOk() + b.pollsFailed();
        BigDecimal share = total == 0 ? null : BigDecimal.valueOf(b.pollsFailed() * 100L)
                .divide(BigDecimal.valueOf(total), 1, RoundingMode.HALF_EVEN);
        String window = human(b.window());
        if (!b.connected()) return new Bus(b, State.DOWN, "not connected", share);
        if (total == 0) return new Bus(b, State.OK, "no polls in the last " + window, null);
        // integer comparison: failed / total >= percent / 100
        if (b.pollsFailed() > 0 && b.pollsFailed() * 100 >= (long) s.downPercent() * total) {
            return new Bus(b, State.DOWN, b.pollsOk() == 0 ? "no poll gave a reading in the last " + window
                    : share.toPlainString() + " % of polls failed in the last " + window + " (down from " + s.downPercent() + " %)", share);
        }
        if (b.pollsFailed() > 0 && b.pollsFailed() * 100 >= (long) s.degradedPercent() * total) {
            return new Bus(b, State.DEGRADED, share.toPlainString() + " % of polls failed in the last " + window
                    + " (degraded from " + s.degradedPercent() + " %)", share);
        }
        return new Bus(b, State.OK, "", share);
    }

    /** A window in words: 1 h, 15 min, 30 s. */
    public static String human(Duration d) {
        if (d.toSecondsPart() == 0 && d.toMinutesPart() == 0) return d.toHours() + " h";
        if (d.toSecondsPart() == 0) return d.toMinutes() + " min";
        return d.toSeconds() + " s";
    }
}
